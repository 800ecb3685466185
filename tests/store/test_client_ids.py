"""A computer keeps writing to a library under the same few client ids, however often it opens it,
and never under one whose edits went further elsewhere: a restored backup, a copied folder, a
second process or a process that stopped without closing the library each get another id."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from photo_tagger.server.storage import Storage
from photo_tagger.store import sync
from photo_tagger.store.client_ids import ClientIds
from photo_tagger.store.library import DOCUMENT_FILE, Library
from photo_tagger.store.paths import STATE_ENV, default_state_dir
from photo_tagger.store.wire import decode_state_vector
from tests.harness import HANG, ThreadServer, add_library
from tests.store.conftest import OTHER, PHOTO
from tests.store.test_sync import everything

REPO = Path(__file__).resolve().parents[2]

# Opens the library, edits it, says its client id, and waits for a line (or stops at once,
# without closing anything, with "crash").
CHILD = """
import os, sys
from pathlib import Path
from photo_tagger.store.library import Library

lib = Library.open(Path(sys.argv[1]))
lib.document.set_user_tag("fedcba9876543210fedcba9876543210", "Child", True)
print(lib.log.doc.client_id, flush=True)
if sys.stdin.readline().strip() == "crash":
    os._exit(0)
lib.close()
"""


def clients(lib: Library) -> dict[int, int]:
    return decode_state_vector(lib.document.state_vector())


def edit(path: Path, tag: str) -> int:
    """Open, tag, close; the client id the edit was written under."""
    with Library.open(path) as lib:
        lib.document.set_user_tag(PHOTO, tag, True)
        return lib.log.doc.client_id


def child(path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def sync_once(lib: Library, url: str, token: str) -> None:
    sync.remember(lib.log, url, token)
    sync.SyncClient(lib, url, token, requests.Session()).sync_once()


def test_opening_editing_and_closing_keeps_the_state_vector_the_same_size(tmp_path: Path) -> None:
    sizes, ids = [], set()
    for i in range(100):
        with Library.open(tmp_path / "library") as lib:
            lib.document.set_user_tag(PHOTO, f"Tag {i}", True)
            sizes.append(len(lib.document.state_vector()))
            ids |= set(clients(lib))
    assert len(ids) == 1
    assert set(sizes) == {sizes[0]}, sizes  # one client, its clock under 128: one byte


def test_two_processes_on_one_library_never_share_an_id(tmp_path: Path) -> None:
    path = tmp_path / "library"
    first = edit(path, "Before")
    with Library.open(path) as lib:
        assert lib.log.doc.client_id == first
        proc = child(path)
        assert proc.stdout is not None
        second = int(proc.stdout.readline())
        assert second != first
        with Library.open(path) as beside:  # the window's background work, in the same process
            third = beside.log.doc.client_id
            assert third not in (first, second)
            beside.document.set_user_tag(PHOTO, "Beside", True)
        proc.communicate("\n", timeout=HANG)
        assert proc.returncode == 0
        lib.document.set_user_tag(PHOTO, "Parent", True)
        lib.log.refresh()
        assert lib.document.user_tags(OTHER) == {"Child": True}
    # each id is written under again, one at a time or side by side: no client is added
    for _ in range(3):
        with Library.open(path) as a, Library.open(path) as b:
            assert (a.log.doc.client_id, b.log.doc.client_id) == (first, second)
            b.document.set_user_tag(PHOTO, "Again", True)
    proc = child(path)
    assert proc.stdout is not None and int(proc.stdout.readline()) == first
    proc.communicate("\n", timeout=HANG)
    with Library.open(path) as lib:
        assert set(clients(lib)) == {first, second, third}


def test_an_id_left_in_use_by_a_process_that_stopped_is_not_written_under_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library"
    proc = child(path)
    assert proc.stdout is not None
    crashed = int(proc.stdout.readline())
    proc.communicate("crash\n", timeout=HANG)
    with Library.open(path) as lib:
        assert lib.log.doc.client_id != crashed
        assert lib.document.user_tags(OTHER) == {"Child": True}


def test_a_damaged_slot_file_means_a_new_id_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "library"
    first = edit(path, "One")
    folder = ClientIds(default_state_dir()).folder(path / DOCUMENT_FILE)
    for junk in (b"", b'{"client": 1', b"\xff" * 10_000, b'{"client": -5, "clock": 0}'):
        (folder / "slot-0").write_bytes(junk)
        assert edit(path, "Two") != first
    assert edit(path, "Three") == edit(path, "Four")


def restore_in_place(backup: Path, path: Path) -> None:
    """Write the backup's bytes into the library's files, which keep their identity (as
    `rsync --inplace`, or a file system rolled back to a snapshot, would)."""
    for name in os.listdir(path):
        if not (backup / name).exists() and (path / name).is_file():
            (path / name).unlink()
    for name in os.listdir(backup):
        if (backup / name).is_file():
            with open(path / name, "r+b" if (path / name).exists() else "wb") as f:
                f.truncate(0)
                f.write((backup / name).read_bytes())


@pytest.mark.parametrize("how", ["copied back", "written in place"])
def test_a_restored_backup_takes_a_new_id_and_no_edit_is_lost(
    tmp_path: Path, server: ThreadServer, storage: Storage, how: str
) -> None:
    _, token = add_library(storage, "Family")
    path, backup, other = tmp_path / "a", tmp_path / "backup", tmp_path / "b"
    first = edit(path, "Backed up")
    with Library.open(path) as lib:
        sync_once(lib, server.url, token)
    shutil.copytree(path, backup)
    assert edit(path, "After the backup") == first  # written under it again, then synced
    with Library.open(path) as lib, Library.open(other) as b:
        sync_once(lib, server.url, token)
        sync_once(b, server.url, token)
    if how == "copied back":
        shutil.rmtree(path)
        shutil.copytree(backup, path)
    else:
        restore_in_place(backup, path)
    with Library.open(path) as lib:
        assert lib.log.doc.client_id != first
        assert lib.document.user_tags(PHOTO) == {"Backed up": True}
        lib.document.set_user_tag(PHOTO, "After the restore", True)
        lib.document.set_user_tag(OTHER, "After the restore", True)
        sync_once(lib, server.url, token)
        with Library.open(other) as b:
            sync_once(b, server.url, token)
            sync_once(lib, server.url, token)
            expected = {"Backed up": True, "After the backup": True, "After the restore": True}
            assert lib.document.user_tags(PHOTO) == expected
            assert everything(b.document) == everything(lib.document)


def test_a_copied_folder_used_beside_the_original_takes_another_id(
    tmp_path: Path, server: ThreadServer, storage: Storage
) -> None:
    _, token = add_library(storage, "Family")
    path, copy = tmp_path / "a", tmp_path / "copy"
    first = edit(path, "Original")
    shutil.copytree(path, copy)
    with Library.open(copy) as c, Library.open(path) as a:
        assert a.log.doc.client_id == first and c.log.doc.client_id != first
        a.document.set_user_tag(OTHER, "On the original", True)
        c.document.set_user_tag(OTHER, "On the copy", True)
        for lib in (a, c, a):
            sync_once(lib, server.url, token)
        assert everything(a.document) == everything(c.document)
        assert a.document.user_tags(OTHER) == {"On the original": True, "On the copy": True}


def test_a_folder_copied_to_another_computer_with_this_ones_state_takes_another_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other computer has the library at the same path and a copy of this computer's state
    folder (a home folder moved to a new laptop while the old one stays in use)."""
    path, state = tmp_path / "library", tmp_path / "state"
    monkeypatch.setenv(STATE_ENV, str(state))
    first = edit(path, "Here")
    path.rename(tmp_path / "this computer's")
    shutil.copytree(tmp_path / "this computer's", path)
    shutil.copytree(state, tmp_path / "other state")
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "other state"))
    there = edit(path, "There")
    assert there != first
    assert edit(path, "There again") == there
    path.rename(tmp_path / "other computer's")
    (tmp_path / "this computer's").rename(path)
    monkeypatch.setenv(STATE_ENV, str(state))
    assert edit(path, "Here again") == first
