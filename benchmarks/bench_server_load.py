"""One hostile library against ten honest ones, on one sync server (127.0.0.1, SQLite).

    .venv/bin/python benchmarks/bench_server_load.py [--libraries 10] [--seconds 8]

Ten honest libraries each sync a small edit after another (one device each, one sync at a time)
for --seconds; then the same again while an eleventh library's token holder sends, as fast as the
server answers, batches of tiny updates that build on an edit it never sends, so that the server
can never place them. Prints the honest libraries' sync latency (median and p99) in both runs,
and the p99 ratio. Target: the hostile library at most doubles the honest libraries' p99.
The server runs in this process (uvicorn in a thread), as tests/harness.py runs it; the run stops
by itself after about twice --seconds.
"""

from __future__ import annotations

import argparse
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


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--libraries", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8.0)
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
    finally:
        storage.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
