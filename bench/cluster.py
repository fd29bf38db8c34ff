"""The multi-instance set-up of docs/SCALING.md on loopback ports, started and torn down:
nginx in front, Pushpin in the stream path, two `grihaseva serve` processes, Redis for
wake-ups, all on one MariaDB database (GRIHASEVA_BENCH_MYSQL_URL names its server).

    .venv/bin/python bench/cluster.py            # start, check a change end to end, stop
    .venv/bin/python bench/cluster.py --hold     # ... and keep it running until Enter

nginx sends `/…/live` (the SSE addresses) to Pushpin and everything else to the two app
processes; Pushpin routes its requests to the same two processes, which answer streams with
GRIP holds; one of them (the lease holder) publishes each frame to Pushpin.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers_live import POST_SLUG, Browser, SseReader, count_of  # noqa: E402
from tests.helpers_pushpin import Pushpin  # noqa: E402
from tests.helpers_redis import RedisServer  # noqa: E402
from tests.helpers_server import LiveServer, free_port  # noqa: E402

NGINX_CONF = """\
worker_processes 1;
worker_rlimit_nofile 20000;   # this machine's hard limit
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 19000; }}
http {{
    access_log off;
    client_body_temp_path {folder}/tmp;
    proxy_temp_path {folder}/tmp;
    upstream grihaseva {{
        server 127.0.0.1:{app_a};
        server 127.0.0.1:{app_b};
        keepalive 32;
    }}
    upstream pushpin {{
        server 127.0.0.1:{pushpin};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        location ~ /live$ {{
            proxy_pass http://pushpin;
            proxy_buffering off;          # each frame goes out as Pushpin sends it
            proxy_read_timeout 1h;        # Pushpin's keep-alive comes every 15 s; streams last
        }}
        location / {{
            proxy_pass http://grihaseva;
        }}
    }}
}}
"""


@contextmanager
def cluster(folder: Path, message_rate: int = 100_000):
    """Yields (nginx URL, nginx port, [app A, app B], pushpin) and stops everything on exit."""
    from tests.conftest import fresh_mysql_database
    import tests.conftest as conftest

    conftest.MYSQL_URL = os.environ.get("GRIHASEVA_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/grihaseva_bench")
    if shutil.which("nginx") is None:
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    with ExitStack() as stack:
        url = stack.enter_context(fresh_mysql_database("_cluster"))
        redis = RedisServer(relay=False).start()
        stack.callback(redis.stop)
        ports = [free_port(), free_port()]
        pushpin = Pushpin(folder / "pushpin", ports, message_rate=message_rate)
        env = {"GRIHASEVA_DATABASE_URL": f"mysql://{url.user}@{url.host}:{url.port}/{url.database}",
               "GRIHASEVA_VAR_DIR": str(folder), "GRIHASEVA_SECRET_KEY": "c" * 40, "GRIHASEVA_PROXY_HOPS": "1",
               "GRIHASEVA_REDIS_URL": redis.url, "GRIHASEVA_REDIS_CHANNEL": redis.channel,
               "GRIHASEVA_GRIP_URL": pushpin.publish_url}
        apps = [LiveServer(env, port) for port in ports]
        apps[0].run("migrate")
        apps[0].run("seed-demo")
        pushpin.start()
        stack.callback(pushpin.stop)
        for app in apps:
            app.start()
            stack.callback(app.stop)
        port = free_port()
        (folder / "tmp").mkdir(exist_ok=True)
        conf = folder / "nginx.conf"
        conf.write_text(NGINX_CONF.format(folder=folder, app_a=ports[0], app_b=ports[1], pushpin=pushpin.port, port=port))
        nginx = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=open(folder / "nginx.out", "w"))
        stack.callback(lambda: (nginx.terminate(), nginx.wait(10)))
        deadline = time.monotonic() + 10
        while True:
            try:
                Browser(f"http://127.0.0.1:{port}").get("/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    raise RuntimeError((folder / "nginx.out").read_text() + (folder / "nginx-error.log").read_text())
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", port, apps, pushpin


async def check(base: str, port: int) -> float:
    """A reaction toggled through nginx reaches a stream held through nginx and Pushpin; seconds."""
    stream = await SseReader.open(port, f"/blog/{POST_SLUG}/live")
    try:
        snapshot = await stream.next()
        asha = Browser(base).log_in("customer@example.com")
        started = time.monotonic()
        await asyncio.to_thread(asha.react, "love")
        message = await stream.next(timeout=5)
        assert count_of(message.data, "love") != count_of(snapshot.data, "love")
        return time.monotonic() - started
    finally:
        await stream.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", action="store_true", help="keep the set running until Enter")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, cluster(Path(tmp)) as (base, port, apps, pushpin):
        print(f"nginx {base} -> apps {apps[0].url} {apps[1].url}; streams via Pushpin {pushpin.url} "
              f"(publish {pushpin.publish_url})")
        print(f"a change through nginx reached a stream through nginx and Pushpin in "
              f"{asyncio.run(check(base, port)) * 1000:.0f} ms")
        if args.hold:
            input("running; Enter stops it all ")
    print("stopped")


if __name__ == "__main__":
    main()
