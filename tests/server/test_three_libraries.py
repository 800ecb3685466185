"""Three laptops, the same photos under different paths, scanned with the real models, edited
apart while the server is down; after syncing they show the same tags and people. Then the same
with the server killed in the middle of syncs, and with requests repeated and reordered."""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from photo_tagger.app.export import library_record
from photo_tagger.app.scan import Importer
from photo_tagger.app.thresholds import models_threshold
from photo_tagger.errors import SyncOfflineError
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.harness import HeldPort, ProcessServer, add_library, sqlite_storage
from tests.server.test_auth import post

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
LAPTOPS = ("a", "b", "c")


@pytest.fixture(scope="module")
def models() -> Models:
    return Models.load(default_models_dir())


@pytest.fixture(scope="module")
def threshold() -> Callable[[str], float]:
    return models_threshold(default_models_dir())


def copy_photos(folder: Path, rename: bool) -> dict[str, Path]:
    """The sample photos under `folder` (renamed on one laptop, as a phone import would)."""
    folder.mkdir(parents=True)
    out = {}
    for i, photo in enumerate(sorted(PHOTOS.glob("*.jpg"))):
        target = folder / (f"IMG_{i:04d}.jpg" if rename else photo.name)
        shutil.copy(photo, target)
        out[photo.stem] = target
    return out


def shared_view(library: Library, threshold: Callable[[str], float]) -> dict[str, Any]:
    """What every laptop must agree on: library_record without this computer's own facts."""
    data = library_record(library, threshold)
    for photo in data["photos"]:
        for local in ("paths", "width", "height"):
            photo.pop(local)
    return data


class RecordingSession(requests.Session):
    """A real session that keeps a copy of each sync request body it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if isinstance(request.body, bytes):
            self.bodies.append(request.body)
        return super().send(request, **kwargs)


@pytest.fixture
def laptops(
    tmp_path: Path, models: Models
) -> Iterator[tuple[dict[str, Library], dict[str, dict[str, Path]]]]:
    libraries = {name: Library.open(tmp_path / name / "library") for name in LAPTOPS}
    photos = {
        name: copy_photos(tmp_path / name / ("Pictures" if name != "c" else "DCIM"), name == "c")
        for name in LAPTOPS
    }
    yield libraries, photos
    for library in libraries.values():
        library.close()


def content_id(library: Library, path: Path) -> str:
    row = library.index.lookup(str(path))
    assert row is not None
    return str(row[2])


def person_of(library: Library, photo: str, face: int) -> str:
    current = library.document.face_person(photo, face)
    assert current is not None
    return library.document.resolve_person(current[0])


def test_three_laptops_edited_apart_converge(
    tmp_path: Path,
    storage: Storage,
    models: Models,
    threshold: Callable[[str], float],
    laptops: tuple[dict[str, Library], dict[str, dict[str, Path]]],
    held_port: HeldPort,
) -> None:
    libraries, photos = laptops
    a, b, c = (libraries[n] for n in LAPTOPS)
    _, token = add_library(storage, "Family")
    data = Path(storage.location).parent
    storage.close()
    server = ProcessServer(data, port=held_port)  # refuses connections between the runs below
    session = RecordingSession()

    def sync_all(*names: str) -> None:
        for name in names:
            lib = libraries[name]
            sync.remember(lib.log, server.url, token)
            sync.SyncClient(lib, server.url, token, session).sync_once()

    # a scans and syncs; b gets that, then scans its own copies; c scans alone and syncs after
    Importer(a, models).scan([photos["a"]["astronaut"].parent])
    with server:
        sync_all("a", "b")
        Importer(b, models).scan([photos["b"]["astronaut"].parent])
        Importer(c, models).scan([photos["c"]["astronaut"].parent])
        sync_all("c", "a", "b")
    cid = {stem: content_id(a, path) for stem, path in photos["a"].items()}
    assert {stem: content_id(c, path) for stem, path in photos["c"].items()} == cid
    obama = person_of(a, cid["obama"], 0)
    assert person_of(b, cid["obama"], 0) == person_of(c, cid["obama"], 0) == obama

    # the server is down; everyone edits
    a.document.set_user_tag(cid["coffee"], "Holidays/Lisbon", True)  # same tag: added here...
    b.document.set_user_tag(cid["coffee"], "Holidays/Lisbon", False)  # ...removed there
    a.document.set_user_tag(cid["group"], "Family", True)  # different tags, same photo
    c.document.set_user_tag(cid["group"], "Work/Team", True)
    a.document.set_person_name(obama, "Barack")  # one person, two names
    b.document.set_person_name(obama, "Barack Obama")
    a.document.confirm_person(cid["obama2"], 0, obama)  # one face confirmed here...
    b.document.reject_person(cid["obama2"], 0, obama)  # ...rejected there
    c.document.reject_person(cid["group"], 2, person_of(c, cid["group"], 2))
    b.document.confirm_person(cid["obama3"], 0, obama)
    for lib in (a, b, c):
        with pytest.raises(SyncOfflineError):
            sync.SyncClient(lib, server.url, token, session).sync_once()
        assert sync.pending_edits(lib.log) > 0

    with server:
        sync_all("a", "b", "c", "a", "b")
        views = [shared_view(lib, threshold) for lib in (a, b, c)]
        assert views[0] == views[1] == views[2]
        photos_view = {p["id"]: p for p in views[0]["photos"]}
        assert len(photos_view) == 10
        assert {"Family", "Work/Team"} <= set(photos_view[cid["group"]]["user"])
        assert "Holidays/Lisbon" in photos_view[cid["coffee"]]["user"]
        names = {p["name"] for p in views[0]["people"]}
        assert len(names & {"Barack", "Barack Obama"}) == 1
        assert a.document.face_person(cid["obama3"], 0) == (obama, True)
        assert all(sync.pending_edits(lib.log) == 0 for lib in (a, b, c))

        # every request body again, newest first: the server's document does not move
        stored = [r.data for r in server_rows(data)]
        for body in reversed(session.bodies):
            assert post(server.url, body, token).status_code == 200
        assert [r.data for r in server_rows(data)] == stored
        sync_all("a", "b", "c")
        assert shared_view(a, threshold) == views[0]

        # ... and into a library of their own, oldest last: the same document comes out
        _, replay_token = add_library(reopen(data), "Replay")
        for body in reversed(session.bodies):
            assert post(server.url, body, replay_token).status_code == 200
        with Library.open(tmp_path / "replayed") as replayed:
            sync.SyncClient(replayed, server.url, replay_token, requests.Session()).sync_once()
            assert replayed.document.people() == a.document.people()
            assert {p: replayed.document.user_tags(p) for p in cid.values()} == {
                p: a.document.user_tags(p) for p in cid.values()
            }


def test_syncs_cut_by_a_killed_server_lose_and_duplicate_nothing(
    tmp_path: Path, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    data = Path(storage.location).parent
    storage.close()
    server = ProcessServer(data)
    libraries = {n: Library.open(tmp_path / n) for n in LAPTOPS}
    photo = "0123456789abcdef0123456789abcdef"
    try:
        for lib in libraries.values():
            sync.remember(lib.log, server.url, token)
        expected: dict[str, bool] = {}
        for round_, delay in enumerate((0.0, 0.01, 0.02, 0.03, 0.08)):
            for name, lib in libraries.items():  # a good batch of edits on every laptop
                with lib.document.batch():
                    for i in range(300):
                        tag = f"{name}/{round_}/{i}"
                        lib.document.set_user_tag(photo, tag, True)
                        expected[tag] = True
            server.start()
            killer = threading.Timer(delay, server.kill)
            killer.start()
            for lib in libraries.values():  # here, the kill lands before, in or after syncs
                with contextlib.suppress(SyncOfflineError):
                    sync.SyncClient(lib, server.url, token, requests.Session()).sync_once()
            killer.join()
            server.kill()
        server.start()
        for _ in range(2):
            for lib in libraries.values():
                assert sync.SyncClient(lib, server.url, token, requests.Session()).sync_once()
        for lib in libraries.values():
            assert lib.document.user_tags(photo) == expected
            assert sync.pending_edits(lib.log) == 0
    finally:
        server.close()
        for lib in libraries.values():
            lib.close()


def reopen(data: Path) -> Storage:
    return sqlite_storage(data)


def server_rows(data: Path) -> list[Any]:
    storage = reopen(data)
    try:
        return [row for lib in storage.listing() for row in storage.rows_after(lib["library"], 0)]
    finally:
        storage.close()
