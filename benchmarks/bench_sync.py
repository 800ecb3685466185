"""What sync costs: bytes on the wire, time to converge, requests per second on loopback.

    .venv/bin/python benchmarks/bench_sync.py [--photos 2000] [--edits 1000] [--seconds 3]
                                              [--no-postgres]

1. Bytes on the wire for one tag edit, in a library of --photos photos (auto tags, a face and a
   suggested person each, as a scan writes them) already synced: the request and answer bodies,
   and with the HTTP headers. Baseline: the whole document, what a sync without state vectors
   would send. Target: well under 1 KB. Then the same after the library has aged (50 sessions of
   20 edits each, every session a new Yjs client id), since state vectors and delete sets grow.
2. Time for 3 replicas of that library with --edits offline tag edits each (one transaction
   per edit) to converge through the server: each syncs until all three are equal. Target 2 s.
3. Sync requests per second that `photo-tagger serve` (one process) sustains on loopback, with
   SQLite and with PostgreSQL: syncs carrying nothing new (what the app's periodic sync sends) and
   syncs carrying one tag edit each, from 4 client threads. Baseline: GET /healthz on the same
   server, the cost of HTTP alone.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.server.storage import open_storage  # noqa: E402
from photo_tagger.store import sync  # noqa: E402
from photo_tagger.store.document import LibraryDocument  # noqa: E402
from photo_tagger.store.library import Library  # noqa: E402
from photo_tagger.store.wire import decode_reply, encode_request  # noqa: E402
from tests.harness import ProcessServer, add_library, start_postgres  # noqa: E402

GROUPS = ["Animals", "Food", "Places", "Things", "Nature", "People", "Events", "Vehicles"]
NAMES = ["Cat", "Dog", "Coffee", "Beach", "Car", "Tree", "Sky", "Portrait", "Bicycle", "Mountain"]
VOCABULARY = [f"{g}/{n}" for g in GROUPS for n in NAMES]


class CountingSession(requests.Session):
    """Counts bytes on the wire: bodies, and bodies plus the HTTP/1.1 head of each message."""

    def __init__(self) -> None:
        super().__init__()
        self.body_bytes = self.wire_bytes = 0

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        response = super().send(request, **kwargs)  # type: ignore[arg-type]
        body = len(request.body or b"") + len(response.content)
        head = len(f"{request.method} {request.path_url} HTTP/1.1\r\n") + 2
        head += sum(len(f"{k}: {v}\r\n") for k, v in request.headers.items())
        head += len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n") + 2
        head += sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())
        self.body_bytes += body
        self.wire_bytes += body + head
        return response


def build(doc: LibraryDocument, photos: int, rng: random.Random) -> None:
    people = [doc.new_person() for _ in range(max(1, photos // 50))]
    for start in range(0, photos, 64):
        with doc.batch():
            for _ in range(min(64, photos - start)):
                cid = f"{rng.getrandbits(128):032x}"
                tags = {t: round(rng.random(), 3) for t in rng.sample(VOCABULARY, 5)}
                x, y, s = rng.uniform(0, 3500), rng.uniform(0, 2500), rng.uniform(80, 400)
                face = {"box": [x, y, x + s, y + s], "score": 0.87}
                doc.set_auto_tags(cid, tags, "local", "mobilenet_v2@1")
                doc.set_faces(cid, "face_detector@1", [face])
                doc.suggest_person(cid, 0, rng.choice(people))


def sync_with(library: Library, url: str, token: str) -> tuple[int, int]:
    """One sync; returns (body bytes, wire bytes)."""
    session = CountingSession()
    sync.SyncClient(library, url, token, session).sync_once()
    return session.body_bytes, session.wire_bytes


def one_edit_cost(folder: Path, url: str, token: str, photos: int) -> None:
    rng = random.Random(1)
    with Library.open(folder / "a") as a, Library.open(folder / "b") as b:
        build(a.document, photos, rng)
        sync.remember(a.log, url, token)
        sync.remember(b.log, url, token)
        full, _ = sync_with(a, url, token)
        sync_with(b, url, token)
        ids = a.document.photo_ids()
        sync_with(a, url, token)
        a.document.set_user_tag(ids[0], "Holidays/Lisbon 2024", True)
        up_body, up_wire = sync_with(a, url, token)
        down_body, down_wire = sync_with(b, url, token)
        idle_body, idle_wire = sync_with(a, url, token)
    print(f"1. one tag edit, {photos} photos synced (whole document: {full / 1e3:.0f} KB):")
    print(
        f"   sending it:   {up_body} B of bodies, {up_wire} B with HTTP headers "
        f"({up_wire / 1024:.2f} of the 1 KB target; {full / up_body:.0f}x less than the document)"
    )
    print(f"   receiving it: {down_body} B of bodies, {down_wire} B with HTTP headers")
    print(f"   a sync with nothing new: {idle_body} B of bodies, {idle_wire} B with HTTP headers")
    for _ in range(50):  # aging: every open is a new client id
        with Library.open(folder / "a") as a:
            for i in range(20):
                a.document.set_user_tag(ids[rng.randrange(len(ids))], f"Tag {i % 7}", i % 3 != 0)
            sync_with(a, url, token)
    with Library.open(folder / "a") as a, Library.open(folder / "b") as b:
        sync_with(b, url, token)
        state = len(a.document.state_vector())
        a.document.set_user_tag(ids[0], "Holidays/Porto 2025", True)
        up_body, up_wire = sync_with(a, url, token)
        down_body, down_wire = sync_with(b, url, token)
    print(
        f"   after 50 sessions x 20 edits (state vector {state} B): sending {up_body} B "
        f"({up_wire} B with headers), receiving {down_body} B ({down_wire} B with headers)"
    )


def converge(folder: Path, url: str, token: str, photos: int, edits: int) -> None:
    rng = random.Random(2)
    with Library.open(folder / "base") as base:
        build(base.document, photos, rng)
        sync.remember(base.log, url, token)
        sync_with(base, url, token)
        ids = base.document.photo_ids()
    names = ("r0", "r1", "r2")
    for name in names:
        shutil.copytree(folder / "base", folder / name)
    replicas = [Library.open(folder / n) for n in names]
    try:
        for r, lib in enumerate(replicas):  # offline: each edit its own transaction
            for i in range(edits):
                tag = f"Edit {r}/{i % 50}"
                lib.document.set_user_tag(ids[rng.randrange(len(ids))], tag, rng.random() < 0.8)
        # r0, r1, r2 send theirs (each getting what went up before it), then r0 and r1 get the
        # rest: five syncs, after which all three must be equal
        t0 = time.perf_counter()
        sent = 0
        for lib in (*replicas, replicas[0], replicas[1]):
            body, _ = sync_with(lib, url, token)
            sent += body
        elapsed = time.perf_counter() - t0
        states = [{p: lib.document.user_tags(p) for p in ids} for lib in replicas]
        assert states[0] == states[1] == states[2], "the replicas did not converge"
        assert all(sync.pending_edits(lib.log) == 0 for lib in replicas)
    finally:
        for lib in replicas:
            lib.close()
    print(
        f"2. 3 replicas x {edits} offline edits, {photos} photos: converged in {elapsed:.2f} s "
        f"(5 syncs, {sent / 1e3:.0f} KB of bodies; {elapsed / 2:.2f} of the 2 s target)"
    )


class Device:
    """A device that is up to date with its library: each sync sends its state vector and,
    when `edit` is set, one tag edit made since the last sync, and merges the answer."""

    def __init__(self, url: str, token: str, edit: bool, seed: int) -> None:
        self.url, self.token, self.edit = url, token, edit
        self.doc = LibraryDocument()
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.sync([])

    def sync(self, updates: list[bytes]) -> None:
        response = self.session.post(
            self.url + "/v1/sync",
            data=encode_request(self.doc.state_vector(), updates),
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        self.doc.apply_update(decode_reply(response.content)[0])

    def step(self) -> None:
        if not self.edit:
            self.sync([])
            return
        state = self.doc.state_vector()
        photo = f"{self.rng.randrange(500):032x}"
        self.doc.set_user_tag(photo, "Family", self.rng.random() < 0.5)
        self.sync([self.doc.encode_state_as_update(state)])


def hammer(steps: list[Callable[[], None]], seconds: float) -> float:
    """Requests per second, each thread repeating its step until the time is up."""
    done = [0] * len(steps)
    stop = time.perf_counter() + seconds

    def run(k: int) -> None:
        while time.perf_counter() < stop:
            steps[k]()
            done[k] += 1

    pool = [threading.Thread(target=run, args=(k,)) for k in range(len(steps))]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def requests_per_second(
    label: str, server: ProcessServer, tokens: list[str], seconds: float
) -> None:
    with server:
        sessions = [requests.Session() for _ in tokens]

        def health(session: requests.Session) -> Callable[[], None]:
            return lambda: session.get(server.url + "/healthz", timeout=30).raise_for_status()

        baseline = hammer([health(s) for s in sessions], seconds)
        busy = hammer([Device(server.url, t, True, k).step for k, t in enumerate(tokens)], seconds)
        quiet = hammer(
            [Device(server.url, t, False, k).step for k, t in enumerate(tokens)], seconds
        )
    print(
        f"3. {label}: {quiet:.0f} syncs/s with nothing new, {busy:.0f} syncs/s carrying an edit "
        f"(baseline GET /healthz: {baseline:.0f}/s; ratios {quiet / baseline:.2f} and "
        f"{busy / baseline:.2f}); {len(tokens)} devices in threads, one library each"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        storage = open_storage(folder / "server", None)
        _, token = add_library(storage, "Bench")
        _, token2 = add_library(storage, "Bench 2")
        rps_tokens = [add_library(storage, f"Load {i}")[1] for i in range(4)]
        storage.close()
        with ProcessServer(folder / "server") as server:
            one_edit_cost(folder / "edit", server.url, token, args.photos)
            converge(folder / "converge", server.url, token2, args.photos, args.edits)
        requests_per_second("SQLite", ProcessServer(folder / "server"), rps_tokens, args.seconds)
        if not args.no_postgres:
            pg = start_postgres(durable=True)
            try:
                url = pg.create_database("bench")
                storage = open_storage(None, url)
                pg_tokens = [add_library(storage, f"Load {i}")[1] for i in range(4)]
                storage.close()
                requests_per_second("PostgreSQL", ProcessServer(None, url), pg_tokens, args.seconds)
            finally:
                pg.stop()


if __name__ == "__main__":
    main()
