"""Real servers for the tests, on 127.0.0.1 only: the server's app on uvicorn in a thread of the
test process (noting every request it receives), `photo-tagger serve` in a process of its own (to
be killed), and a throwaway PostgreSQL cluster; the sync server's database and its tokens.

Every server holds its port from the moment it is made (`HeldPort`): its address is known before
it starts, nobody else can take it, and while the server is down a connection there is refused at
once, as with a server that went away. Waits only bound a hang (`HANG`): nothing here measures how
fast anything is.
"""

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import uvicorn

from photo_tagger.server.app import Limits
from photo_tagger.server.run import ServerSettings
from photo_tagger.server.snapshots import SnapshotPolicy
from photo_tagger.server.storage import Storage, open_storage
from photo_tagger.server.tokens import new_token

ROOT = Path(__file__).resolve().parents[1]
HANG = 120.0  # seconds: long enough on a crowded machine, short enough to end a real hang


def wait_until(ready: Callable[[], bool], what: str, timeout: float = HANG) -> None:
    """Return as soon as `ready()` is true; fail, naming `what`, if it never becomes so."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting, after {timeout:.0f} s, for {what}")
        time.sleep(0.01)


def sqlite_storage(folder: Path) -> Storage:
    return open_storage(folder, None)


def add_library(storage: Storage, name: str) -> tuple[str, str]:
    """(library id, token), as `photo-tagger server add-library` makes them."""
    library_id = storage.add_library(name)
    token = new_token()
    storage.add_token(library_id, token.id, token.secret_hash)
    return library_id, token.token


class HeldPort:
    """A port on 127.0.0.1 held by a bound socket that does not listen: connections to it are
    refused, no other program can bind it, and our own servers (which, like uvicorn and
    PostgreSQL, set SO_REUSEADDR) listen on it while it is held."""

    def __init__(self) -> None:
        self._sock = self._socket()
        self._sock.bind(("127.0.0.1", 0))
        self.number: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.number}"

    @staticmethod
    def _socket() -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return sock

    def listener(self) -> socket.socket:
        """A socket bound to this port, for a server in this process to listen on."""
        sock = self._socket()
        sock.bind(("127.0.0.1", self.number))
        return sock

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> HeldPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Request:
    """A request as the server received it."""

    method: str
    path: str
    body: bytearray = field(default_factory=bytearray)
    status: int | None = None  # the answer's, once it has started


class ThreadServer:
    """The app `photo-tagger serve` runs (sync, the cloud model, and the model release in
    DATA/models when `data` is given), on a real uvicorn in a thread of the test process.

    It notes every request as it arrives (`requests`, `paths`): a request's body is all there
    once its reply has left, its status once its reply has started. start()/stop() may
    alternate: a server that goes away and comes back on the same address. `with` starts it, and
    at the end stops it and lets its port go. `clock` is the time the server dates the libraries'
    snapshots with.
    """

    def __init__(
        self,
        storage: Storage,
        data: Path | None = None,
        max_body: int = Limits.max_body,
        port: HeldPort | None = None,
        snapshots: SnapshotPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        policy = snapshots or SnapshotPolicy()
        settings = ServerSettings(
            data=str(data) if data else None,
            max_body=max_body,
            snapshot_every=policy.every,
            keep_snapshots=policy.keep,
            keep_snapshot_days=policy.keep_days,
        )
        self.storage = storage
        self.app = settings.app(storage, clock)
        self.requests: list[Request] = []
        self._own_port = port is None
        self.port = port or HeldPort()
        self.url = self.port.url
        self._running: tuple[uvicorn.Server, threading.Thread, socket.socket] | None = None

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    async def _noting(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope["method"], scope["path"])
        self.requests.append(request)

        async def receive_and_note() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                request.body += message.get("body", b"")
            return message

        async def send_and_note(message: Any) -> None:
            if message["type"] == "http.response.start":
                request.status = message["status"]
            await send(message)

        await self.app(scope, receive_and_note, send_and_note)

    def start(self) -> ThreadServer:
        assert self._running is None, "the test server is already running"
        config = uvicorn.Config(
            self._noting, log_level="warning", lifespan="off", interface="asgi3", access_log=False
        )
        server = uvicorn.Server(config)
        sock = self.port.listener()
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="test server", daemon=True
        )
        thread.start()
        wait_until(lambda: server.started or not thread.is_alive(), "the test server to start")
        if not server.started:
            sock.close()
            raise RuntimeError("the test server did not start")
        self._running = (server, thread, sock)
        return self

    def stop(self) -> None:
        """Stop serving; the port stays held, so connections to it are refused."""
        if self._running is None:
            return
        server, thread, sock = self._running
        self._running = None
        server.should_exit = True
        thread.join(HANG)
        sock.close()
        assert not thread.is_alive(), "the test server did not stop"

    def close(self) -> None:
        self.stop()
        if self._own_port:
            self.port.close()

    def __enter__(self) -> ThreadServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessServer:
    """`photo-tagger serve` in its own process group, so that a test can kill -9 it (and its
    workers) and start it again on the same address."""

    def __init__(
        self,
        data: Path | None,
        database: str | None = None,
        workers: int = 1,
        port: HeldPort | None = None,
    ) -> None:
        self.data, self.database, self.workers = data, database, workers
        self._own_port = port is None
        self.port = port or HeldPort()
        self.url = self.port.url
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ProcessServer:
        assert self.proc is None, "photo-tagger serve is already running"
        args = [sys.executable, "-m", "photo_tagger.cli", "serve", "--port", str(self.port.number)]
        args += ["--data", str(self.data)] if self.data else []
        args += ["--database", self.database] if self.database else []
        args += ["--workers", str(self.workers)]
        # a file, not a pipe: a chatty server would fill a pipe nobody reads and stall
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by kill())
        proc = self.proc = subprocess.Popen(  # its own process group: kill() takes the workers
            args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True
        )
        try:
            wait_until(lambda: proc.poll() is not None or self._healthy(), f"{self.url}/healthz")
            problem = "" if proc.poll() is None else "photo-tagger serve stopped"
        except AssertionError as exc:
            problem = str(exc)
        if problem:
            self.log.seek(0)
            output = self.log.read().decode(errors="replace")
            self.kill()
            raise RuntimeError(f"{problem}: {output}")
        return self

    def _healthy(self) -> bool:
        try:
            return requests.get(self.url + "/healthz", timeout=5).ok
        except requests.ConnectionError:
            return False

    def kill(self) -> None:
        """As a power cut would: no clean shutdown. The port stays held."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        self.log.close()

    def close(self) -> None:
        self.kill()
        if self._own_port:
            self.port.close()

    def __enter__(self) -> ProcessServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    port: HeldPort
    as_user: list[str]

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port.number}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        pg_ctl = postgres_bin("pg_ctl")
        data = str(self.root / "data")
        subprocess.run(
            [*self.as_user, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True
        )
        self.port.close()
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
    port = HeldPort()
    data = root / "data"
    initdb = [postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    initdb += ["-E", "UTF8", "--no-sync"]
    subprocess.run([*as_user, *initdb], check=True, capture_output=True)
    options = f"-p {port.number} -k {root} -c listen_addresses=127.0.0.1"
    options += "" if durable else " -c fsync=off"
    pg_ctl = [postgres_bin("pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options]
    proc = subprocess.run(
        [*as_user, *pg_ctl, "-w", "-t", str(int(HANG)), "start"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        port.close()
        raise RuntimeError(f"PostgreSQL did not start: {proc.stderr}\n{log}")
    return Postgres(root, port, as_user)


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    pg = start_postgres()
    try:
        yield pg
    finally:
        pg.stop()
