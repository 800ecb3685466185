"""One hostile library against ten honest ones, on one sync server (127.0.0.1, SQLite).

    .venv/bin/python benchmarks/bench_server_load.py [--libraries 10] [--seconds 8]
                                                     [--first-sync 10000]

Ten honest libraries each sync a small edit after another (one device each, one sync at a time)
for --seconds; then the same again while an eleventh library's token holder sends, as fast as the
server answers, batches of tiny updates that build on an edit it never sends, so that the server
can never place them. Prints the honest libraries' sync latency (median and p99) in both runs,
and the p99 ratio. Target: the hostile library at most doubles the honest libraries' p99.
Then what one device's first sync of a --first-sync photo library costs the server (its whole
document in one update: the server merges, checks and stores every record), the median of three
fresh libraries, timed from the request to the answer.
The server runs in this process (uvicorn in a thread), as tests/harness.py runs it; the run stops
by itself after about twice --seconds.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from pycrdt import Doc, Map

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from photo_tagger.store.document import LibraryDocument  # noqa: E402
from photo_tagger.store.wire import encode_request  # noqa: E402
from tests.harness import ThreadServer, add_library, sqlite_storage  # noqa: E402

EMPTY_STATE = b"\x00"
PHOTO = "0" * 64
TAGS = [
    f"{group}/Thing {n}" for group in ("Animals", "Places", "Objects", "Scenes") for n in range(50)
]


def post(url: str, session: requests.Session, token: str, body: bytes) -> int:
    response = session.post(
        url + "/v1/sync", data=body, headers={"Authorization": f"Bearer {token}"}, timeout=120
    )
    return response.status_code


def honest(url: str, token: str, until: float, latencies: list[float], errors: list[int]) -> None:
    doc = LibraryDocument()
    session = requests.Session()
    i = 0
    while time.monotonic() < until:
        state = doc.state_vector()
        doc.set_user_tag(PHOTO, f"Tag {i}", True)
        body = encode_request(state, [doc.encode_state_as_update(state)])
        start = time.perf_counter()
        status = post(url, session, token, body)
        latencies.append(time.perf_counter() - start)
        if status != 200:
            errors.append(status)
        i += 1


def never_placed(batches: int, batch: int) -> list[bytes]:
    """Request bodies of `batch` tiny updates each, all building on an edit never sent (made
    beforehand, so that the hostile client costs the server's process nothing while it runs)."""
    author: Doc = Doc()
    user = author.get("user", type=Map)
    user["never sent"] = True
    bodies = []
    for b in range(batches):
        updates = []
        for i in range(batch):
            state = author.get_state()
            user[f"{PHOTO}|Tag {b}.{i}"] = True
            updates.append(author.get_update(state))
        bodies.append(encode_request(EMPTY_STATE, updates))
    return bodies


def hostile(
    url: str, token: str, until: float, answers: dict[int, int], bodies: list[bytes]
) -> None:
    session = requests.Session()
    i = 0
    while time.monotonic() < until:  # once every body is sent, again: refused all the same
        status = post(url, session, token, bodies[i % len(bodies)])
        answers[status] = answers.get(status, 0) + 1
        i += 1


def run(url: str, tokens: list[str], seconds: float, attacker: str | None) -> list[float]:
    until = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[int] = []
    answers: dict[int, int] = {}
    threads = [
        threading.Thread(target=honest, args=(url, t, until, latencies, errors)) for t in tokens
    ]
    if attacker:
        bodies = never_placed(100, 50)
        threads.append(
            threading.Thread(target=hostile, args=(url, attacker, until, answers, bodies))
        )
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    label = "with the hostile library" if attacker else "honest libraries only"
    print(
        f"{label:26s} {len(latencies):5d} syncs  median {statistics.median(latencies) * 1e3:7.1f}"
        f" ms  p99 {p99(latencies) * 1e3:7.1f} ms  failed {len(errors)}"
        + (f"  hostile answers {dict(sorted(answers.items()))}" if attacker else "")
    )
    return latencies


def scanned(photos: int) -> bytes:
    """A library of `photos` photos as a scan writes them (5 tags, a face and its suggested
    person each), as its first sync sends it."""
    rng = random.Random(1)
    doc = LibraryDocument()
    people = [doc.new_person() for _ in range(max(1, photos // 50))]
    for start in range(0, photos, 64):
        with doc.batch():
            for _ in range(min(64, photos - start)):
                cid = f"{rng.getrandbits(128):032x}"
                x, y, s = rng.uniform(0, 3500), rng.uniform(0, 2500), rng.uniform(80, 400)
                tags = {t: round(rng.random(), 3) for t in rng.sample(TAGS, 5)}
                doc.set_auto_tags(cid, tags, "local", "mobilenet_v2@1")
                doc.set_faces(cid, "face_detector@1", [{"box": [x, y, x + s, y + s], "score": 0.9}])
                doc.suggest_person(cid, 0, rng.choice(people))
    return encode_request(EMPTY_STATE, [doc.encode_state_as_update()])


def first_sync(url: str, tokens: list[str], photos: int) -> None:
    body = scanned(photos)
    session = requests.Session()
    took = []
    for token in tokens:
        start = time.perf_counter()
        status = post(url, session, token, body)
        took.append(time.perf_counter() - start)
        if status != 200:
            raise SystemExit(f"the first sync was answered {status}")
    median = statistics.median(took)
    print(
        f"first sync of {photos} photos ({len(body) / 1e6:.1f} MB): {median:.2f} s "
        f"({median / photos * 1e6:.0f} us a photo; runs {', '.join(f'{t:.2f}' for t in took)} s)"
    )


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--libraries", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--first-sync", type=int, default=10000, metavar="PHOTOS")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="photo-tagger-bench-load-"))
    storage = sqlite_storage(folder)
    try:
        tokens = [add_library(storage, f"Honest {i}")[1] for i in range(args.libraries)]
        _, attacker = add_library(storage, "Hostile")
        with ThreadServer(storage) as server:
            calm = run(server.url, tokens, args.seconds, None)
            loaded = run(server.url, tokens, args.seconds, attacker)
        ratio = p99(loaded) / p99(calm)
        print(f"honest p99 with / without the hostile library: {ratio:.2f}x (target <= 2x)")
        if args.first_sync:
            fresh = [add_library(storage, f"First sync {i}")[1] for i in range(3)]
            with ThreadServer(storage) as server:
                first_sync(server.url, fresh, args.first_sync)
    finally:
        storage.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
