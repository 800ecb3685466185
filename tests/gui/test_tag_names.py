"""What the user types into the tag field or the rename dialog, as a tag name."""

from __future__ import annotations

import pytest

from photo_tagger.gui.tag_names import renamed_tag, tag_name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Holidays", "Holidays"),
        ("  Holidays  ", "Holidays"),
        ("Holidays/Lisbon", "Holidays/Lisbon"),
        (" Holidays / Lisbon ", "Holidays/Lisbon"),
        ("/Holidays/Lisbon/", "Holidays/Lisbon"),
        ("Holidays//Lisbon", "Holidays/Lisbon"),
        ("Holidays/ /Lisbon", "Holidays/Lisbon"),
        ("Ana's wedding", "Ana's wedding"),  # spaces inside a part stay
        ("", ""),
        ("   ", ""),
        ("/", ""),
        (" / / ", ""),
    ],
)
def test_typed_text_becomes_a_tag_name(typed: str, name: str) -> None:
    assert tag_name(typed) == name


def test_a_new_name_keeps_the_tag_where_it_is_in_the_tree() -> None:
    tag = "Events/2024/2024-06-12 Lisbon"
    assert renamed_tag(tag, "Ana's wedding") == "Events/2024/Ana's wedding"
    assert renamed_tag(tag, "  Ana's wedding ") == "Events/2024/Ana's wedding"
    assert renamed_tag("Cats", "Kittens") == "Kittens"  # a tag at the top stays at the top


def test_a_path_is_the_whole_new_name() -> None:
    assert renamed_tag("Events/2024/Lisbon", "Trips/Lisbon") == "Trips/Lisbon"
    assert renamed_tag("Events/2024/Lisbon", " Trips / Lisbon /") == "Trips/Lisbon"


@pytest.mark.parametrize("typed", ["", "  ", "/", "Lisbon", " Lisbon ", "Events/Lisbon"])
def test_nothing_or_the_same_name_renames_nothing(typed: str) -> None:
    assert renamed_tag("Events/Lisbon", typed) is None


@pytest.mark.parametrize("typed", ["Bell\x07", "Holidays/\x00Lisbon", "Tab\there", "x" * 201])
def test_a_name_that_cannot_be_stored_is_refused_with_the_reason(typed: str) -> None:
    from photo_tagger.errors import TagNameError
    from photo_tagger.gui.tag_names import tag_name_problem

    with pytest.raises(TagNameError):
        tag_name(typed)
    problem = tag_name_problem(typed)
    assert problem and ("control character" in problem or "characters long" in problem)
    assert renamed_tag("Events/Lisbon", typed) is None
