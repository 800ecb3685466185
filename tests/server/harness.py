"""Real servers for the tests: the app on uvicorn in a thread, `photo-tagger serve` as a process
(to be killed), and a PostgreSQL server started for the session. Loopback only."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
import uvicorn

from photo_tagger.server.app import Limits, create_app
from photo_tagger.server.storage import Storage, open_storage
from photo_tagger.server.tokens import new_token

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_library(storage: Storage, name: str) -> tuple[str, str]:
    """(library id, token), as `photo-tagger server add-library` makes them."""
    library_id = storage.add_library(name)
    token = new_token()
    storage.add_token(library_id, token.id, token.secret_hash)
    return library_id, token.token


class ThreadServer:
    """The real app on a real uvicorn, in a thread of the test process."""

    def __init__(self, storage: Storage, limits: Limits | None = None, port: int = 0) -> None:
        self.storage = storage
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(
            create_app(storage, limits), log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


class ProcessServer:
    """`photo-tagger serve` in its own process, so that a test can kill -9 it."""

    def __init__(
        self, data: Path | None, database: str | None = None, port: int = 0, workers: int = 1
    ) -> None:
        self.data, self.database, self.workers = data, database, workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ProcessServer:
        args = [sys.executable, "-m", "photo_tagger.cli", "serve", "--port", str(self.port)]
        args += ["--data", str(self.data)] if self.data else []
        args += ["--database", self.database] if self.database else []
        args += ["--workers", str(self.workers)]
        # a file, not a pipe: a chatty server would fill a pipe nobody reads and stall
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by kill())
        self.proc = subprocess.Popen(  # its own process group: kill() takes the workers too
            args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                output = self.log.read().decode(errors="replace")
                self.kill()
                raise RuntimeError(f"photo-tagger serve did not start: {output}")
            time.sleep(0.05)

    def kill(self) -> None:
        """As a power cut would: no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc is not None:
            self.log.close()

    def __enter__(self) -> ProcessServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


# --- PostgreSQL ---------------------------------------------------------------------------------


def postgres_bin(name: str) -> str:
    """Debian keeps the server programs in /usr/lib/postgresql/VERSION/bin, off the PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise RuntimeError(
            f"PostgreSQL's {name} is not installed: apt-get install postgresql (Debian) "
            "to run the PostgreSQL tests."
        )
    return path


def _version_key(path: str) -> tuple[int, ...]:
    version = path.split("/")[4]
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1, trust authentication."""

    root: Path
    port: int
    as_user: list[str]

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                postgres_bin("pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres(durable: bool = False) -> Postgres:
    """initdb + pg_ctl start in a fresh folder. PostgreSQL refuses to run as root, so as root
    (CI, this machine) it runs as the `postgres` user that Debian's package creates. Tests run
    it without fsync (`durable` for benchmarks, to compare with SQLite's fsync'd commits)."""
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="photo-tagger-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    port = free_port()
    data = root / "data"
    run = [*as_user]
    subprocess.run(
        [
            *run,
            postgres_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    options += "" if durable else " -c fsync=off"
    proc = subprocess.run(
        [
            *run,
            postgres_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {proc.stderr}\n{log}")
    return Postgres(root, port, as_user)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    pg = start_postgres()
    try:
        yield pg
    finally:
        pg.stop()


def sqlite_storage(folder: Path) -> Storage:
    return open_storage(folder, None)
