"""PostgreSQL: several server processes behind one address serve one library consistently."""

from __future__ import annotations

import random
import threading
import uuid
from pathlib import Path

import requests

from photo_tagger.server.replicas import Replicas
from photo_tagger.server.storage import open_storage
from photo_tagger.store import sync
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.library import Library
from photo_tagger.store.wire import decode_reply
from tests.harness import Postgres, ProcessServer, add_library
from tests.server.test_auth import EMPTY_STATE
from tests.store.test_sync import everything

PHOTOS = [f"{i:032x}" for i in range(1, 9)]


def test_processes_sharing_a_database_see_each_others_writes_at_once(
    postgres: Postgres, tmp_path: Path
) -> None:
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}")
    storage = open_storage(None, url)
    library_id, token = add_library(storage, "Team")
    with (
        ProcessServer(None, url, workers=2) as front,  # one address, two processes
        ProcessServer(None, url) as other,
        Library.open(tmp_path / "a") as a,
        Library.open(tmp_path / "b") as b,
    ):
        session = requests.Session()
        a.document.set_user_tag(PHOTOS[0], "Family", True)
        sync.SyncClient(a, front.url, token, session).sync_once()
        # the very next request, to another process, sees it
        sync.SyncClient(b, other.url, token, session).sync_once()
        assert b.document.user_tags(PHOTOS[0]) == {"Family": True}
        b.document.set_user_tag(PHOTOS[0], "Family", False)
        sync.SyncClient(b, other.url, token, session).sync_once()
        for _ in range(4):  # whichever worker answers, it has b's edit
            sync.SyncClient(a, front.url, token, session).sync_once()
            assert a.document.user_tags(PHOTOS[0]) == {"Family": False}

        # many devices syncing at once through both addresses: no edit lost, none twice
        failures: list[BaseException] = []

        def device(name: str, seed: int) -> None:
            rng = random.Random(seed)
            try:
                with Library.open(tmp_path / name) as lib:
                    for i in range(12):
                        lib.document.set_user_tag(rng.choice(PHOTOS), f"{name} {i}", True)
                        server = rng.choice([front, other])
                        with requests.Session() as s:
                            sync.SyncClient(lib, server.url, token, s).sync_once()
            except BaseException as exc:  # reported below, in the test's thread
                failures.append(exc)

        threads = [threading.Thread(target=device, args=(f"d{k}", k)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        for lib in (a, b):
            sync.SyncClient(lib, other.url, token, session).sync_once()
        assert everything(a.document) == everything(b.document)
        tags = {t for p in PHOTOS for t in a.document.user_tags(p)}
        assert {f"d{k} {i}" for k in range(4) for i in range(12)} <= tags

    # the stored rows, read afresh, give that same document
    replica = LibraryDocument()
    replica.apply_update(decode_reply(Replicas(storage).sync(library_id, EMPTY_STATE, []))[0])
    with Library.open(tmp_path / "a") as a:
        assert everything(replica) == everything(a.document)
    storage.close()


def test_compaction_and_revocation_on_postgres(postgres: Postgres) -> None:
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}")
    storage = open_storage(None, url)
    library_id, token = add_library(storage, "Team")
    replicas = Replicas(storage, compact_rows=5)
    doc = LibraryDocument()
    for i in range(12):
        state = doc.state_vector()
        doc.set_user_tag(PHOTOS[0], f"Tag {i}", True)
        replicas.sync(library_id, state, [doc.encode_state_as_update(state)])
    rows = storage.rows_after(library_id, 0)
    assert rows[0].kind == "snapshot" and len(rows) <= 6
    fresh = LibraryDocument()
    fresh.apply_update(decode_reply(Replicas(storage).sync(library_id, EMPTY_STATE, []))[0])
    assert len(fresh.user_tags(PHOTOS[0])) == 12
    token_id = token.split(".")[0]
    assert storage.revoke(token_id) and not storage.revoke(token_id)
    assert storage.token(token_id).revoked is not None  # type: ignore[union-attr]
    storage.close()
