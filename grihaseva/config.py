"""Settings from environment variables, with safe defaults.

Every setting is read once, in `Settings.from_env`, and a bad value raises
`ConfigError` with one line a person can act on; the CLI prints that line and
exits instead of showing a traceback.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit


class ConfigError(Exception):
    """A setting has a value the app cannot start with."""


@dataclass(frozen=True)
class DatabaseUrl:
    dialect: str  # "sqlite" or "mysql"
    path: str = ""  # sqlite file
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""
    database: str = ""

    @classmethod
    def parse(cls, url: str) -> "DatabaseUrl":
        parts = urlsplit(url)
        if parts.scheme == "sqlite":
            # sqlite:///var/x.db is relative, sqlite:////abs/x.db absolute
            path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
            if not path:
                raise ConfigError(f"GRIHASEVA_DATABASE_URL: give a file, as in sqlite:///var/grihaseva.db (got {url!r})")
            return cls(dialect="sqlite", path=path)
        if parts.scheme in ("mysql", "mariadb", "mysql+aiomysql"):
            database = parts.path.lstrip("/")
            if not database:
                raise ConfigError(f"GRIHASEVA_DATABASE_URL: name the database, as in mysql://user:pass@host:3306/grihaseva (got {url!r})")
            try:
                port = parts.port or 3306
            except ValueError:
                raise ConfigError(f"GRIHASEVA_DATABASE_URL: the port is not a number in {url!r}") from None
            return cls(
                dialect="mysql",
                host=parts.hostname or "127.0.0.1",
                port=port,
                user=unquote(parts.username or "root"),
                password=unquote(parts.password or ""),
                database=database,
            )
        raise ConfigError(
            f"GRIHASEVA_DATABASE_URL: unknown scheme {parts.scheme or url!r}; use sqlite:///PATH or mysql://USER:PASS@HOST:PORT/DB"
        )


def _flag(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def _int(env: dict, name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be between {low} and {high}, got {value}")
    return value


def _http_url(env: dict, name: str) -> str:
    url = env.get(name, "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{name}: expected an http(s) URL such as http://127.0.0.1:5561, got {url!r}")
    return url


def _redis_url(url: str) -> str:
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"GRIHASEVA_REDIS_URL: expected redis://HOST:PORT/0, got {url!r}")
    return url


def var_dir_from_env(env: dict | None = None) -> Path:
    """Where the app keeps what it writes (GRIHASEVA_VAR_DIR, else ./var); `Settings.var_dir`."""
    return Path((os.environ if env is None else env).get("GRIHASEVA_VAR_DIR") or "var")


def _secret_key(env: dict, var_dir: Path) -> str:
    """The signing key: from the environment, or generated once and kept in var/."""
    key = env.get("GRIHASEVA_SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ConfigError("GRIHASEVA_SECRET_KEY: use at least 32 random characters")
        return key
    path = var_dir / "secret_key"
    try:
        if not path.exists():
            var_dir.mkdir(parents=True, exist_ok=True)
            # Written whole to a private file, then linked into place: a process starting at
            # the same moment sees either no key file or the complete key, never an empty one.
            draft = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)
            except FileExistsError:  # another process wrote it first; use theirs
                pass
            finally:
                os.unlink(draft)
        key = path.read_text().strip()
    except OSError as error:
        raise ConfigError(f"GRIHASEVA_SECRET_KEY is unset and {path} cannot be used: {error.strerror}") from None
    if len(key) < 32:
        raise ConfigError(f"GRIHASEVA_SECRET_KEY is unset and {path} holds no usable key; delete the file to make a new one")
    return key


@dataclass(frozen=True)
class Settings:
    database: DatabaseUrl
    secret_key: str
    env: str = "production"  # "development" or "production"
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "GrihaSeva <no-reply@grihaseva.example>"
    bcrypt_rounds: int = 12
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted
    redis_url: str = ""  # wake-ups between processes (grihaseva/wakeup.py); empty: poll only
    redis_channel: str = "grihaseva:events"
    events_poll_ms: int = 200  # how often the broadcaster reads `events` without a wake-up
    grip_url: str = ""  # Pushpin's publish endpoint (grihaseva/grip.py); empty: streams stay in process
    sse_heartbeat_seconds: int = 15  # live pages reconnect after 2 heartbeats + 5 s of silence
    var_dir: Path = field(default_factory=lambda: Path("var"))
    # How many upcoming (confirmed, not ended) bookings one customer may hold: overall, with one
    # provider, and overall while the account is new (booking.domain.BookingCaps).
    booking_cap_upcoming: int = 10
    booking_cap_per_provider: int = 4
    booking_cap_new_account: int = 2

    @property
    def development(self) -> bool:
        return self.env == "development"

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        var_dir = var_dir_from_env(env)
        mode = env.get("GRIHASEVA_ENV", "production").strip().lower()
        if mode not in ("development", "production"):
            raise ConfigError(f"GRIHASEVA_ENV: expected development or production, got {mode!r}")
        base_url = env.get("GRIHASEVA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"GRIHASEVA_BASE_URL: expected an http(s) URL, got {base_url!r}")
        return cls(
            database=DatabaseUrl.parse(env.get("GRIHASEVA_DATABASE_URL") or f"sqlite:///{var_dir}/grihaseva.db"),
            secret_key=_secret_key(env, var_dir),
            env=mode,
            base_url=base_url,
            smtp_host=env.get("GRIHASEVA_SMTP_HOST", ""),
            smtp_port=_int(env, "GRIHASEVA_SMTP_PORT", 25, 1, 65535),
            smtp_user=env.get("GRIHASEVA_SMTP_USER", ""),
            smtp_password=env.get("GRIHASEVA_SMTP_PASSWORD", ""),
            smtp_starttls=_flag(env, "GRIHASEVA_SMTP_STARTTLS", False),
            mail_from=env.get("GRIHASEVA_MAIL_FROM") or "GrihaSeva <no-reply@grihaseva.example>",
            bcrypt_rounds=_int(env, "GRIHASEVA_BCRYPT_ROUNDS", 12, 4, 16),
            proxy_hops=_int(env, "GRIHASEVA_PROXY_HOPS", 0, 0, 5),
            redis_url=_redis_url(env.get("GRIHASEVA_REDIS_URL", "").strip()),
            redis_channel=env.get("GRIHASEVA_REDIS_CHANNEL", "").strip() or "grihaseva:events",
            events_poll_ms=_int(env, "GRIHASEVA_EVENTS_POLL_MS", 200, 10, 60_000),
            grip_url=_http_url(env, "GRIHASEVA_GRIP_URL"),
            sse_heartbeat_seconds=_int(env, "GRIHASEVA_SSE_HEARTBEAT_SECONDS", 15, 1, 60),
            var_dir=var_dir,
            booking_cap_upcoming=_int(env, "GRIHASEVA_BOOKING_CAP_UPCOMING", 10, 1, 1000),
            booking_cap_per_provider=_int(env, "GRIHASEVA_BOOKING_CAP_PER_PROVIDER", 4, 1, 1000),
            booking_cap_new_account=_int(env, "GRIHASEVA_BOOKING_CAP_NEW_ACCOUNT", 2, 1, 1000),
        )
