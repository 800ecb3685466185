"""What the Info panel says of a photo, in words (app/photo_info.py)."""

from __future__ import annotations

from photo_tagger.app.photo_info import objects_text


def test_the_objects_found_are_counted_by_kind_most_first() -> None:
    labels = ("person", "tie", "person", "dining table", "person", "tie", "wine glass")
    assert objects_text(labels) == "3 people, 2 ties, 1 dining table, 1 wine glass"
    assert objects_text(("knife", "knife", "sheep")) == "2 knives, 1 sheep"
