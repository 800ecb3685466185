"""`photo-tagger scan` stopped with Ctrl+C: the photos it kept are finished (dates, places,
events, near-duplicates) and it says how far it got."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from photo_tagger.store.library import Library
from tests.harness import HANG

PHOTOS = Path(__file__).resolve().parent / "data" / "photos"
ROOT = Path(__file__).resolve().parents[1]
COUNT = 160  # the progress line comes at 100: Ctrl+C then, with 60 still to go


def many_photos(folder: Path, count: int) -> Path:
    """`count` small photos, each different (a copy would be the same photo)."""
    folder.mkdir()
    sources = [cv2.resize(cv2.imread(str(p)), (160, 120)) for p in sorted(PHOTOS.glob("*.jpg"))]
    rng = np.random.default_rng(3)
    for i in range(count):
        noise = rng.integers(0, 8, sources[0].shape, dtype=np.uint8)
        cv2.imwrite(str(folder / f"photo_{i:03d}.jpg"), sources[i % len(sources)] + noise)
    return folder


def test_ctrl_c_stops_the_scan_and_finishes_what_it_kept(tmp_path: Path) -> None:
    folder = many_photos(tmp_path / "photos", COUNT)
    library = tmp_path / "library"
    cmd = [sys.executable, "-m", "photo_tagger.cli", "scan", str(folder), "--library", str(library)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # no terminal: a progress line every 100 photos
        seen.append(line)
        if line.startswith("100/"):
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 130, (out, err, seen)
    said = re.search(r"Interrupted: (\d+) of (\d+) added", out)
    assert said is not None, out
    added, planned = int(said[1]), int(said[2])
    assert 100 <= added < planned == COUNT
    assert "Stopping" in err

    with Library.open(library) as lib:  # every photo kept has its date, as after a whole scan
        assert not lib.index.context_pending()
        contexts = lib.index.contexts()
        assert len(contexts) == added
        assert all(any(t.startswith("Dates/") for t in json.loads(c)) for c in contexts.values())
