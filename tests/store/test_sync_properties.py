"""Property: whatever the edits, syncs, failed syncs, lost replies and restarts, three libraries
end up identical once each has synced after the last edit, and a fact only one library wrote
is there as it wrote it (nothing lost, nothing doubled)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from photo_tagger.errors import SyncOfflineError
from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.library import Library
from tests.harness import HeldPort, ThreadServer, add_library, sqlite_storage
from tests.store.test_sync import everything
from tests.store.test_sync_client import LosingSession

PHOTOS = ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"]
TAGS = ["Family", "Places/Beach", "Animals/Cat"]
NAMES = ["Ann", "Anna", "Bob"]
REPLICAS = 3

replica = st.integers(0, REPLICAS - 1)
operation = st.one_of(
    st.tuples(st.just("tag"), replica, st.integers(0, 1), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("clear"), replica, st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("name"), replica, st.integers(0, 1), st.sampled_from(NAMES)),
    st.tuples(st.just("sync"), replica),
    st.tuples(st.just("offline"), replica),
    st.tuples(st.just("lost reply"), replica),
    st.tuples(st.just("restart"), replica),
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Storage, str]]:
    storage = sqlite_storage(tmp_path_factory.mktemp("server"))
    with ThreadServer(storage) as server:
        yield storage, server.url
    storage.close()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(operation, max_size=25))
def test_libraries_converge_whatever_the_interleaving(
    served: tuple[Storage, str], held_port: HeldPort, ops: list[tuple]
) -> None:
    storage, url = served
    _, token = add_library(storage, f"library {len(storage.listing())}")
    dead = held_port.url  # nothing listens there
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"r{i}" for i in range(REPLICAS)]
        libs = [Library.open(p) for p in paths]
        try:
            for lib in libs:
                sync.remember(lib.log, url, token)
            people = [libs[0].document.new_person() for _ in range(2)]
            for lib in libs:  # a shared start: the people exist everywhere
                sync.SyncClient(lib, url, token, requests.Session()).sync_once()
            writers: dict[tuple[str, str], set[int]] = {}  # fact -> replicas that wrote it
            last: dict[tuple[str, str], object] = {}  # fact -> last value written (any replica)
            for op in ops:
                kind, r = op[0], op[1]
                doc = libs[r].document
                if kind == "tag":
                    fact = (PHOTOS[op[2]], TAGS[op[3]])
                    doc.set_user_tag(*fact, op[4])
                    writers.setdefault(fact, set()).add(r)
                    last[fact] = op[4]
                elif kind == "clear":
                    fact = (PHOTOS[op[2]], TAGS[op[3]])
                    doc.clear_user_tag(*fact)
                    writers.setdefault(fact, set()).add(r)
                    last[fact] = None
                elif kind == "name":
                    doc.set_person_name(people[op[2]], op[3])
                    writers.setdefault(("person", people[op[2]]), set()).add(r)
                    last[("person", people[op[2]])] = op[3]
                elif kind == "sync":
                    sync.SyncClient(libs[r], url, token, requests.Session()).sync_once()
                elif kind == "offline":
                    with pytest.raises(SyncOfflineError):
                        sync.SyncClient(libs[r], dead, token, requests.Session()).sync_once()
                elif kind == "lost reply":
                    session = LosingSession()
                    session.lose_next = True
                    with pytest.raises(SyncOfflineError):
                        sync.SyncClient(libs[r], url, token, session).sync_once()
                else:  # restart: everything waiting must still be there
                    pending = sync.pending_edits(libs[r].log)
                    libs[r].close()
                    libs[r] = Library.open(paths[r])
                    assert sync.pending_edits(libs[r].log) == pending
            for _ in range(2):
                for lib in libs:
                    sync.SyncClient(lib, url, token, requests.Session()).sync_once()
            states = [everything(lib.document) for lib in libs]
            assert states[0] == states[1] == states[2]
            assert all(sync.pending_edits(lib.log) == 0 for lib in libs)
            doc = libs[0].document
            for fact, who in writers.items():
                if len(who) != 1:
                    continue  # concurrent writers: one of them wins, the same everywhere
                if fact[0] == "person":
                    person = doc.person(fact[1])
                    assert person is not None and person["name"] == last[fact]
                else:
                    assert doc.user_tags(fact[0]).get(fact[1]) == last[fact]
        finally:
            for lib in libs:
                lib.close()
