"""`grihaseva` command line: migrate, seed-demo, create-admin, serve."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys

from .config import ConfigError, Settings
from .db import DatabaseUnavailable, open_database
from .migrate import MigrationError, pending_migrations


def _fail(message: str) -> "NoReturn":  # noqa: F821
    print(f"grihaseva: {message}", file=sys.stderr)
    raise SystemExit(2)


async def _with_db(settings: Settings, work, migrated: bool = True):
    db = open_database(settings.database)
    await db.connect()
    try:
        if migrated and (pending := await pending_migrations(db)):
            raise MigrationError(f"the database lacks {len(pending)} migration(s) ({', '.join(pending)}); run `grihaseva migrate` first")
        return await work(db)
    finally:
        await db.close()


def cmd_migrate(settings: Settings, args) -> None:
    from .migrate import migrate

    applied = asyncio.run(_with_db(settings, migrate, migrated=False))
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "; the schema is current"))


def cmd_seed_demo(settings: Settings, args) -> None:
    from .demo.seed import seed_demo

    async def work(db):
        return await seed_demo(db, settings, only_if_empty=args.if_empty, history=True)

    report = asyncio.run(_with_db(settings, work))
    print(report)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            _fail("the two passwords do not match")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_create_admin(settings: Settings, args) -> None:
    from .auth.accounts import ValidationError, create_user, email_problem, name_problem, normalize_email, phone_problem
    from .auth.passwords import password_problem
    from .clock import utcnow
    from .plaintext import one_line

    email = normalize_email(args.email)
    name, phone = one_line(args.name), " ".join(args.phone.split())  # cleaned as registration cleans them
    for label, problem in (("", email_problem(email)), ("--name: ", name_problem(name)), ("--phone: ", phone_problem(phone))):
        if problem:
            _fail(label + problem)
    password = _read_password()
    if problem := password_problem(password):
        _fail(f"password: {problem}")
    clean = {"email": email, "name": name, "phone": phone, "gender": "other", "password": password}

    async def work(db):
        return await create_user(db, clean, utcnow(), settings.bcrypt_rounds, role="admin")

    try:
        user_id = asyncio.run(_with_db(settings, work))
    except ValidationError as error:
        _fail("; ".join(error.errors.values()))
    print(f"admin {email} created (id {user_id})")


def cmd_serve(settings: Settings, args) -> None:
    from pathlib import Path

    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    from .access_log import AccessLogger, access_logger
    from .app import create_app

    async def check(db):
        return await db.fetch_value("SELECT 1 AS ok")

    asyncio.run(_with_db(settings, check))  # fail early, with one line, if the database is down
    config = Config.from_toml(args.config) if Path(args.config).exists() else Config()
    config.bind = [args.bind]
    config.logger_class = AccessLogger
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if not 1 <= workers <= 64:
        _fail(f"--workers: give 1 to 64 processes, got {workers}")
    log_target = config.accesslog if isinstance(config.accesslog, str) else None
    if isinstance(config.accesslog, str) or config.accesslog is None:  # reset tokens never reach the log
        config.accesslog = access_logger(config.accesslog)
    try:  # fail early, with one line, if the address is taken (hypercorn would fail after start-up)
        sockets = config.create_sockets()
    except (OSError, ValueError) as error:
        _fail(f"cannot listen on {args.bind}: {getattr(error, 'strerror', None) or error}")
    for sock in sockets.secure_sockets + sockets.insecure_sockets + sockets.quic_sockets:
        sock.close()
    if workers > 1:
        _serve_workers(settings, config, workers, log_target, args.bind)
        return
    app = create_app(settings)

    async def until_signal() -> None:
        """SIGINT/SIGTERM: end every SSE stream at once, so hypercorn need not wait out
        its graceful timeout for connections that never finish by themselves."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await app.broadcaster.stop()

    async def run_server() -> None:
        try:
            await serve(app, config, shutdown_trigger=until_signal)
        finally:  # if serving fails after start-up, release the database so the process can exit
            await app.db.close()

    print(f"GrihaSeva on http://{args.bind} ({settings.database.dialect}, {settings.env})", flush=True)
    asyncio.run(run_server())


def _serve_workers(settings: Settings, config, workers: int, log_target: str | None, bind: str) -> None:
    """hypercorn's own multi-process mode: it listens once and starts `workers` processes that
    each load `grihaseva.asgi:app`; they share the database (and through its outbox tables,
    each other's events and mail). On SIGINT/SIGTERM each worker finishes within the graceful
    timeout (open live streams are cut when it ends)."""
    from hypercorn.run import run

    config.workers = workers
    config.application_path = "grihaseva.asgi:app"
    os.environ["GRIHASEVA_ACCESS_LOG"] = log_target or ""
    print(f"GrihaSeva on http://{bind} ({settings.database.dialect}, {settings.env}, {workers} workers)", flush=True)
    sys.exit(run(config))


def cmd_housekeeping(settings: Settings, args) -> None:
    from .clock import utcnow
    from .housekeeping import run_once

    async def work(db):
        return await run_once(db, utcnow())

    done = asyncio.run(_with_db(settings, work))
    print(f"deleted {done.events} events, {done.rate_hits} rate-limit hits, {done.sessions} expired sessions, "
          f"{done.mail} old mails, {done.limit_hits} old booking-cap refusals")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grihaseva", description="GrihaSeva home services")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    seed = sub.add_parser("seed-demo", help="add the demo catalogue, providers and accounts (idempotent)")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no accounts yet")
    seed.set_defaults(run=cmd_seed_demo)
    admin = sub.add_parser("create-admin", help="create an admin account (asks for the password)")
    admin.add_argument("email")
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--phone", default="+91 80000 00000")
    admin.set_defaults(run=cmd_create_admin)
    sub.add_parser("housekeeping", help="delete old events, rate-limit hits, expired sessions and mail (also runs hourly in serve)"
                   ).set_defaults(run=cmd_housekeeping)
    serve = sub.add_parser("serve", help="serve the app with hypercorn")
    serve.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
    serve.add_argument("--config", default="hypercorn.toml", help="hypercorn settings file")
    serve.add_argument("--workers", type=int, default=None,
                       help="processes to serve with (default: the number of cores; 1 serves in this process)")
    serve.set_defaults(run=cmd_serve)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        args.run(settings, args)
    except (ConfigError, DatabaseUnavailable, MigrationError) as error:
        _fail(str(error))
    except KeyboardInterrupt:
        raise SystemExit(130)


if __name__ == "__main__":
    main()
