"""The plain parts of escalation: what is sent, how answers become tags, settings, the queue."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photo_tagger.cloud import escalation
from photo_tagger.cloud.escalation_queue import MAX_ATTEMPTS, EscalationQueue
from photo_tagger.errors import EscalationNotConfiguredError, ImageError
from photo_tagger.store.library import Library

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"


def test_upload_is_upright_within_max_side_and_bare() -> None:
    # a sideways camera JPEG: 1200 x 800 stored, EXIF orientation 6 (turn 90 degrees clockwise)
    rgb = np.zeros((800, 1200, 3), np.uint8)
    rgb[:, :600] = (250, 20, 20)  # left half red: on top once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PrivateCam"
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=92, exif=exif.tobytes())
    sent = escalation.upload_bytes(buf.getvalue(), max_side=300)
    with Image.open(io.BytesIO(sent)) as im:
        assert im.size == (200, 300)  # upright portrait, long side 300
        assert not im.getexif() and b"PrivateCam" not in sent
        top, bottom = np.asarray(im)[10, 100], np.asarray(im)[-10, 100]
    assert top[0] > 200 and bottom[0] < 60


def test_upload_never_enlarges_and_refuses_what_is_not_a_photo() -> None:
    data = (PHOTOS / "chelsea.jpg").read_bytes()  # 451 x 300
    with Image.open(io.BytesIO(escalation.upload_bytes(data, max_side=1024))) as im:
        assert im.size == (451, 300)
    with pytest.raises(ImageError):
        escalation.upload_bytes(b"Dear diary", max_side=1024)


def test_cloud_answer_replaces_the_unsure_local_tags_it_can_score() -> None:
    local = {
        "Places": {"score": 0.45, "source": "local", "model": "m"},
        "Objects/Lamp": {"score": 0.3, "source": "local", "model": "m"},
        "People": {"score": 0.9, "source": "local", "model": "m"},  # from faces, not classes
    }
    tags = escalation.cloud_tags(
        {"Vehicles": 0.6254, "Places": 0.16}, local, {"Vehicles", "Places", "Objects/Lamp"}
    )
    assert tags == {"Vehicles": 0.625, "Places": 0.16, "Objects/Lamp": 0.0}
    assert escalation.best_local_score(local) == 0.9
    assert escalation.best_local_score({}) == 0.0
    # a broad tag sums many classes: what counts is its most specific tag under it
    broad = {
        "Scenes": {"score": 0.63, "source": "local", "model": "m"},
        "Scenes/Temple": {"score": 0.06, "source": "local", "model": "m"},
    }
    assert escalation.best_local_score(broad) == 0.06


def test_settings_are_remembered_per_library_and_checked(tmp_path: Path) -> None:
    with Library.open(tmp_path / "a") as library:
        assert escalation.EscalationSettings.of(library.log) == escalation.EscalationSettings()
        with pytest.raises(EscalationNotConfiguredError, match="endpoint"):
            escalation.enable(library.log, token="t")
        with pytest.raises(EscalationNotConfiguredError, match="not an inference endpoint"):
            escalation.enable(library.log, endpoints=["ftp://x"], token="t")
        with pytest.raises(EscalationNotConfiguredError, match="threshold"):
            escalation.enable(library.log, endpoints=["http://h:1"], token="t", threshold=1.5)
        escalation.enable(library.log, endpoints=["http://h:1/", "https://b.example"], token="t")
        escalation.enable(library.log, daily_budget=0)  # other settings kept
    with Library.open(tmp_path / "a") as library:
        s = escalation.EscalationSettings.of(library.log)
        assert s.enabled and s.endpoints == ("http://h:1", "https://b.example")
        assert (s.token, s.daily_budget, s.threshold, s.max_side) == ("t", 0, 0.5, 1024)
        assert escalation.disable(library.log).enabled is False
        assert library.document.photo_count() == 0  # nothing went into the shared document
    with Library.open(tmp_path / "b") as other:
        assert escalation.EscalationSettings.of(other.log).enabled is False


def test_queue_survives_reopening_and_gives_up_on_refused_photos(tmp_path: Path) -> None:
    with EscalationQueue.open(tmp_path) as queue:
        assert queue.add([("a", 0.4), ("b", 0.1)], now=1.0) == 2
        assert queue.add([("a", 0.4)], now=2.0) == 0
        for _ in range(MAX_ATTEMPTS):
            queue.failed("a", "refused")
        queue.delivered("b", "model@1", 1000, now=5.0)
    with EscalationQueue.open(tmp_path) as queue:
        assert queue.waiting() == []
        assert [w.photo_id for w in queue.waiting(include_failed=True)] == ["a"]
        assert queue.is_delivered("b", "model@1") and not queue.is_delivered("b", "model@2")
        assert queue.sent_since(5.0) == 1 and queue.sent_since(6.0) == 0
        assert queue.counts() == {"waiting": 0, "failed": 1, "delivered": 1}
