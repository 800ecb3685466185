"""A library that another device filled with malformed records: every command still works,
reports them, and `photo-tagger check --repair` sets them aside (a real scan, real models)."""

from __future__ import annotations

import json
import shutil
import xml.dom.minidom
from pathlib import Path

import pytest
from pycrdt import Map

from photo_tagger.cli.main import main
from photo_tagger.store.library import Library
from tests.store.hostile import write_as_peer

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
OTHER = "fedcba9876543210fedcba9876543210"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _hostile(photo: str) -> object:
    def write(roots: dict[str, Map]) -> None:
        roots["photos"][OTHER] = "{not json"
        roots["auto.cloud"][photo] = json.dumps(
            {"model": "big", "tags": {"Dog": "very", "Ok": 0.9}}
        )
        roots["user"][f"{photo}|Bell\x07ringer"] = True
        roots["user"][f"{photo}|Yes"] = "yes"
        roots["people"]["mallory"] = "a string"
        roots["face_person"][f"{photo}|0"] = [1, 2, 3]
        roots["confirmed"][f"{photo}|x"] = "mallory"
        roots["marks"][f"{photo}|rating"] = 7
        roots["marks"][f"{photo}|favourite"] = "yes"
        roots["marks"][f"{photo}|rejected"] = float("nan")

    return write


def test_malformed_records_from_a_peer_break_no_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, lib = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    shutil.copy(PHOTOS / "obama.jpg", folder / "face.jpg")
    assert run(capsys, "scan", str(folder), "--library", str(lib), "--quiet")[0] == 0
    assert (
        run(capsys, "tag", "add", "--library", str(lib), str(folder / "face.jpg"), "Kept")[0] == 0
    )
    with Library.open(lib) as library:
        (photo,) = library.document.photo_ids()
        write_as_peer(library, _hostile(photo))  # type: ignore[arg-type]

    code, out, err = run(capsys, "export", "--library", str(lib))
    assert code == 0, err
    (record,) = [p for p in json.loads(out)["photos"] if p["id"] == photo]
    assert "Bell\x07ringer" not in record["tags"] and "Ok" in record["auto"]
    assert record["marks"] == {}  # a rating of 7, a flag that is text: never said
    assert "malformed record" in err and f"photo {OTHER}" in err and "check --repair" in err
    code, out, err = run(capsys, "people", "list", "--library", str(lib))
    assert code == 0 and "person mallory" in err, err
    code, out, err = run(capsys, "xmp", "export", "--library", str(lib))
    assert code == 0, err
    sidecar = (folder / "face.jpg.xmp").read_text(encoding="utf-8")
    xml.dom.minidom.parseString(sidecar)  # well-formed
    assert "Bell" not in sidecar and "Kept" in sidecar and "Rating" not in sidecar
    code, out, err = run(capsys, "rate", "--library", str(lib), str(folder / "face.jpg"))
    assert code == 0 and out.endswith(": not rated\n"), (out, err)
    code, out, err = run(capsys, "search", "rating:>=1", "--library", str(lib))
    assert code == 1 and "malformed record" in err, err
    code, out, err = run(capsys, "scan", str(folder), "--library", str(lib), "--quiet")
    assert code == 0, err

    code, out, _ = run(capsys, "check", "--library", str(lib))
    assert code == 1
    for what in (f"photo {OTHER}", "person mallory", "'Bell\\x07ringer'", "'Yes'", "the face"):
        assert what in out, out
    for what in ("the rating is 7, not 0 to 5", "favourite flag is 'yes'", "rejected flag is nan"):
        assert what in out, out
    code, out, _ = run(capsys, "check", "--repair", "--library", str(lib))
    assert code == 0 and "quarantine" in out
    code, out, err = run(capsys, "check", "--library", str(lib))
    assert code == 0 and "well formed" in out and not err
    code, out, err = run(capsys, "export", "--library", str(lib))
    assert code == 0 and not err
    # nothing was lost: what was set aside is kept where no read looks
    with Library.open(lib) as library:
        kept = library.log.doc.get("quarantine", type=Map).to_py()
    assert "people|mallory" in kept and json.loads(kept["people|mallory"])["value"] == "a string"


def test_tag_add_refuses_a_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, lib = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    shutil.copy(PHOTOS / "chelsea.jpg", folder / "cat.jpg")
    assert run(capsys, "scan", str(folder), "--library", str(lib), "--quiet")[0] == 0
    code, _, err = run(capsys, "tag", "add", "--library", str(lib), str(folder / "cat.jpg"), "\x07")
    assert code == 2 and "control character U+0007" in err, err
    code, _, err = run(capsys, "tag", "add", "--library", str(lib), str(folder / "cat.jpg"), "a//b")
    assert code == 2 and "empty" in err, err


def test_a_record_put_right_since_it_was_found_is_not_set_aside(tmp_path: Path) -> None:
    """The window finds malformed records on a copy of its own, off the UI thread; one that
    another device put right meanwhile stays where it is."""
    from photo_tagger.app.check import find_malformed, set_aside

    with Library.open(tmp_path / "lib") as library:
        write_as_peer(library, lambda roots: roots["people"].__setitem__("mallory", "a string"))
    found = find_malformed(tmp_path / "lib")
    assert [m.key for m in found] == ["mallory"]
    with Library.open(tmp_path / "lib") as library:
        write_as_peer(library, lambda roots: roots["people"].__setitem__("mallory", Map({})))
        assert set_aside(library, found) == 0
        assert "mallory" in library.log.doc.get("people", type=Map)
