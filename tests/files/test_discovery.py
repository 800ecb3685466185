"""Finding photo files and telling changed from unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photo_tagger.errors import ImageError
from photo_tagger.files.discovery import (
    FileStat,
    content_id,
    plan_scan,
    read_photo_file,
    read_photo_head,
    walk,
)


def test_walk_finds_photos_skips_hidden_and_other_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.JPG").write_bytes(b"1")
    (tmp_path / "a" / "notes.txt").write_text("no")
    (tmp_path / "a" / "x.jpg.xmp").write_text("sidecar")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "y.jpg").write_bytes(b"2")
    (tmp_path / ".z.png").write_bytes(b"3")
    (tmp_path / "b.heic").write_bytes(b"4")
    errors: list[tuple[str, str]] = []
    found = [s.path for s in walk([tmp_path], lambda p, r: errors.append((p, r)))]
    assert found == [str(tmp_path / "b.heic"), str(tmp_path / "a" / "x.JPG")]
    assert errors == []


def test_walk_reports_missing_roots_and_takes_single_files(tmp_path: Path) -> None:
    f = tmp_path / "one.png"
    f.write_bytes(b"x")
    errors: list[tuple[str, str]] = []
    found = list(walk([f, tmp_path / "gone"], lambda p, r: errors.append((p, r))))
    assert [s.path for s in found] == [str(f)]
    assert errors == [(str(tmp_path / "gone"), "no such file or folder")]


def test_plan_splits_changed_unchanged_missing(tmp_path: Path) -> None:
    known = {"/p/a.jpg": (10, 100, "id-a"), "/p/b.jpg": (20, 200, "id-b"), "/p/c.jpg": (1, 1, "c")}
    stats = [
        FileStat("/p/a.jpg", 10, 100),
        FileStat("/p/b.jpg", 20, 201),
        FileStat("/p/d.jpg", 5, 5),
    ]
    plan = plan_scan(stats, known.get, known.keys())
    assert [s.path for s in plan.unchanged] == ["/p/a.jpg"]
    assert [s.path for s in plan.changed] == ["/p/b.jpg", "/p/d.jpg"]
    assert plan.missing == ["/p/c.jpg"]


def test_content_id_depends_on_bytes_only(tmp_path: Path) -> None:
    assert content_id(b"abc") == content_id(b"abc")
    assert content_id(b"abc") != content_id(b"abd")
    assert len(content_id(b"")) == 32


def test_unreadable_folder_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "p.jpg").write_bytes(b"x")
    errors: list[tuple[str, str]] = []
    os.chmod(locked, 0)
    try:
        found = list(walk([tmp_path], lambda p, r: errors.append((p, r))))
    finally:
        os.chmod(locked, 0o755)
    if os.geteuid() == 0:  # root reads every folder: the walk must then find the photo
        assert [s.path for s in found] == [str(locked / "p.jpg")]
    else:
        assert found == [] and errors and "cannot read folder" in errors[0][1]


def test_walk_skips_pipes_and_devices_with_a_reason(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.jpg")
    (tmp_path / "z.jpg").symlink_to("/dev/zero")
    (tmp_path / "real.jpg").write_bytes(b"1")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "real.jpg")
    errors: dict[str, str] = {}
    found = [s.path for s in walk([tmp_path], errors.__setitem__)]
    assert found == [str(tmp_path / "link.jpg"), str(tmp_path / "real.jpg")]
    assert "named pipe" in errors[str(tmp_path / "x.jpg")]
    assert "device" in errors[str(tmp_path / "z.jpg")]
    # named on the command line, they are refused just the same
    errors.clear()
    assert list(walk([tmp_path / "x.jpg", tmp_path / "z.jpg"], errors.__setitem__)) == []
    assert sorted(errors) == [str(tmp_path / "x.jpg"), str(tmp_path / "z.jpg")]


def test_reading_a_photo_file_is_bounded_and_never_blocks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.jpg")  # a pipe put where the walk saw a photo: no writer, no hang
    with pytest.raises(ImageError, match="named pipe"):
        read_photo_file(str(tmp_path / "x.jpg"))
    with pytest.raises(ImageError, match="device"):
        read_photo_file("/dev/zero")
    (tmp_path / "folder.jpg").mkdir()  # a folder where a photo was
    with pytest.raises(ImageError, match="it is a folder"):
        read_photo_file(str(tmp_path / "folder.jpg"))
    big = tmp_path / "big.jpg"
    big.write_bytes(b"x" * 101)
    with pytest.raises(ImageError, match="too big"):
        read_photo_file(str(big), limit=100)
    assert read_photo_file(str(big), limit=101) == b"x" * 101


def test_reading_the_head_of_a_photo_file_is_bounded_and_never_blocks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.jpg")
    with pytest.raises(ImageError, match="named pipe"):
        read_photo_head(str(tmp_path / "x.jpg"), 100)
    with pytest.raises(ImageError, match="device"):
        read_photo_head("/dev/zero", 100)
    with pytest.raises(ImageError, match="cannot read"):
        read_photo_head(str(tmp_path / "gone.jpg"), 100)
    (tmp_path / "folder.jpg").mkdir()
    with pytest.raises(ImageError, match="it is a folder"):
        read_photo_head(str(tmp_path / "folder.jpg"), 100)
    big = tmp_path / "big.jpg"
    big.write_bytes(b"x" * 1000)
    assert read_photo_head(str(big), 100) == b"x" * 100
    assert read_photo_head(str(big), 5000) == b"x" * 1000
