"""The command line: `photo-tagger server ...` manages libraries and tokens; `photo-tagger sync`
syncs once, remembers the server, and fails with a clear message and a non-zero status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from photo_tagger.cli.main import main
from photo_tagger.server.storage import Storage
from photo_tagger.store.library import Library
from tests.harness import HeldPort, ThreadServer
from tests.store.conftest import PHOTO


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_libraries_and_tokens_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "server")
    code, out, _ = run(capsys, "server", "add-library", "--data", data, "Family")
    assert code == 0
    created = json.loads(out)
    assert set(created) == {"library", "token"}
    code, _, err = run(capsys, "server", "add-library", "--data", data, "Family")
    assert code == 2 and "already a library named 'Family'" in err
    code, out, _ = run(capsys, "server", "add-token", "--data", data, "Family")
    second = json.loads(out)
    assert second["library"] == created["library"] and second["token"] != created["token"]
    code, out, _ = run(capsys, "server", "revoke", "--data", data, created["token"])
    assert code == 0 and "revoked" in out
    code, out, _ = run(capsys, "server", "list", "--data", data)
    [library] = json.loads(out)["libraries"]
    assert library["name"] == "Family"
    revoked = [t["revoked"] is not None for t in library["tokens"]]
    assert sorted(revoked) == [False, True]
    assert created["token"].split(".")[1] not in out  # secrets are never shown again
    code, _, err = run(capsys, "server", "revoke", "--data", data, "0123456789ab")
    assert code == 2 and "no token" in err
    code, _, err = run(capsys, "server", "list", "--database", "mysql://x/y")
    assert code == 2 and "not a database this server can use" in err


def test_sync_remembers_the_server_and_says_why_it_fails(
    tmp_path: Path,
    storage: Storage,
    server: ThreadServer,
    held_port: HeldPort,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = str(Path(storage.location).parent)
    _, out, _ = run(capsys, "server", "add-library", "--data", data, "Family")
    token = json.loads(out)["token"]
    library = str(tmp_path / "laptop")
    with Library.open(Path(library)) as lib:
        lib.document.set_user_tag(PHOTO, "Family", True)
    code, _, err = run(capsys, "sync", "--library", library)
    assert code == 2 and "No sync server is set" in err
    code, out, _ = run(
        capsys, "sync", "--library", library, "--server", server.url, "--token", token
    )
    assert code == 0 and f"Synced with {server.url}" in out and "nothing waiting" in out
    code, out, _ = run(capsys, "sync", "--library", library)  # remembered
    assert code == 0

    other = str(tmp_path / "other")
    code, _, err = run(
        capsys, "sync", "--library", other, "--server", held_port.url, "--token", token
    )
    assert code == 2 and "Cannot reach the sync server" in err
    code, out, _ = run(capsys, "sync", "--library", other, "--server", server.url)  # same token
    assert code == 0 and "changes from other devices merged" in out
    code, _, err = run(capsys, "sync", "--library", other, "--token", token[:13] + "0" * 64)
    assert code == 2 and "refused" in err
    code, out, _ = run(capsys, "sync", "--library", other, "--forget")
    assert code == 0
    with Library.open(Path(other)) as lib:
        assert lib.document.user_tags(PHOTO) == {"Family": True}


def test_sync_names_malformed_records_that_came_in(
    tmp_path: Path, storage: Storage, server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows the server stored before it checked what updates write (or that another program put
    in its database) reach a device as they are: `sync` names them, and nothing breaks."""
    from pycrdt import Doc, Map

    data = str(Path(storage.location).parent)
    _, out, _ = run(capsys, "server", "add-library", "--data", data, "Family")
    created = json.loads(out)
    library = str(tmp_path / "laptop")
    code, out, err = run(
        capsys, "sync", "--library", library, "--server", server.url, "--token", created["token"]
    )
    assert code == 0 and "malformed" not in err
    peer = Doc()
    with peer.transaction():
        peer.get("people", type=Map)["mallory"] = "a string"
    with storage.writing(created["library"]) as writer:
        writer.append("update", peer.get_update())
    code, out, err = run(capsys, "sync", "--library", library)
    assert code == 0 and "changes from other devices merged" in out
    assert "skipped 1 malformed record" in err and "person mallory" in err, err
    code, out, err = run(capsys, "people", "list", "--library", library)
    assert code == 0
