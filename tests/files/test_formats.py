"""Which files a scan reads and which two files are one shot, as the format registry has them."""

from __future__ import annotations

from pathlib import Path

from photo_tagger.files.discovery import is_photo_name, walk
from photo_tagger.files.formats import PHOTO_SUFFIXES, pair_key, raw_twins
from photo_tagger.imaging.formats import formats


def test_a_scan_reads_every_registered_format_and_nothing_else(tmp_path: Path) -> None:
    registered = {suffix for fmt in formats() for suffix in fmt.suffixes}
    assert registered == PHOTO_SUFFIXES
    for i, suffix in enumerate(sorted(registered)):
        (tmp_path / f"IMG_{i:04}{suffix.upper() if i % 2 else suffix}").write_bytes(b"x")
        assert is_photo_name(f"a{suffix}") and is_photo_name(f"a{suffix.upper()}")
        assert not is_photo_name(f".a{suffix}")
    for other in ("notes.txt", "IMG_0001.jpg.xmp", "clip.mov", "IMG_0001"):
        (tmp_path / other).write_bytes(b"x")
        assert not is_photo_name(other)
    found = list(walk([tmp_path], lambda path, reason: None))
    assert sorted(Path(st.path).suffix.lower() for st in found) == sorted(registered)


def test_a_raw_is_paired_with_its_jpeg_before_its_heic() -> None:
    paths = [
        "/p/IMG_0001.CR2",
        "/p/IMG_0001.HEIC",
        "/p/img_0001.jpg",
        "/p/IMG_0002.nef",
        "/p/IMG_0002.heif",
        "/p/IMG_0003.dng",
        "/p/IMG_0003.png",  # not what a camera writes next to a RAW
        "/q/IMG_0004.dng",
        "/p/IMG_0004.jpg",  # another folder: another shot
        "/p/IMG_0005.arw",
        "/p/IMG_0005.ARW.jpg",
    ]
    assert raw_twins(paths) == {
        "/p/IMG_0001.CR2": "/p/img_0001.jpg",
        "/p/IMG_0002.nef": "/p/IMG_0002.heif",
    }
    assert raw_twins(reversed(paths)) == raw_twins(paths)
    assert pair_key("/p/IMG_0003.png") is None and pair_key("/p/IMG_0003.jpe") is None
    assert pair_key("/p/IMG_0003.DNG") == pair_key("/p/img_0003.JPEG")
