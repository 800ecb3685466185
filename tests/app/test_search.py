"""Search: the word rule (parse, matches, Matcher), and a whole library searched from its files
(real photos with EXIF, real models, the user's tags, a named person)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from photo_tagger.app.search import Matcher, matches, parse, photo_words, tag_fields, words
from photo_tagger.app.search_library import find
from photo_tagger.app.thresholds import models_threshold
from photo_tagger.store.catalog import PATH
from photo_tagger.store.library import Library
from photo_tagger.vision.model import default_models_dir
from photo_tagger.vision.pipeline import Models
from tests.search_samples import NOT_UTF8, build

# --- the word rule -------------------------------------------------------------------------------


def found(query: str, tags: list[str] = [], names: list[str] = [], path: str = "x.jpg") -> bool:  # noqa: B006
    return matches(parse(query), photo_words(tags, names, path))


def test_words_not_substrings() -> None:
    assert found("cat", tags=["Animals/Cat"])
    assert found("animals", tags=["Animals/Cat"])  # each part of the path is searched
    assert not found("cat", path="/photos/scatter-plot.png")
    assert not found("cat", tags=["Projects/Concatenate"])
    assert not found("cat", names=["Catherine"])
    assert found("scatter", path="/photos/scatter-plot.png")
    assert found("plot png", path="/photos/scatter-plot.png")
    assert not found("photos", path="/photos/scatter-plot.png")  # the file name, not its folder


def test_case_and_accents_are_ignored() -> None:
    assert words("São Paulo") == ("sao", "paulo") == words("SAO PAULO")
    assert found("sao paulo", tags=["Places/Brazil/São Paulo/São Paulo"])
    assert found("SÃO", tags=["Places/Brazil/São Paulo"])
    assert found("conceicao", names=["Anna Conceição"])
    assert found("strasse", tags=["Places/Straße"])
    assert not found("lisboa", tags=["Places/Portugal/Lisbon"])  # another word, not a spelling


def test_phrases_and_words_with_punctuation() -> None:
    pig = ["Pets/Guinea Pig"]
    assert found("pig", tags=pig) and found("guinea", tags=pig)
    assert found('"guinea pig"', tags=pig) and found("“Guinea Pig”", tags=pig)
    assert not found('"pig guinea"', tags=pig)
    assert found('"time of day" evening', tags=["Time of day/Evening"])
    assert found("img_1234", path="/p/IMG_1234.JPG") and found("1234", path="/p/IMG_1234.JPG")
    assert not found("img_12", path="/p/IMG_1234.JPG")
    june = ["Dates/2024", "Dates/2024/2024-06"]
    assert found("2024", tags=june) and found("2024-06", tags=june)
    assert not found("2024-07", tags=june) and not found("2023", tags=june)
    assert parse(' ,  "" ') == ()  # nothing to search for


def test_every_word_must_match_something() -> None:
    tags = ["Animals/Dog", "Places/Portugal/Lisbon", "Dates/2024/2024-06", "Nature/Beach"]
    assert found("dog beach 2024", tags=tags)
    assert not found("dog beach 2023", tags=tags)
    assert found("anna lisbon", tags=tags, names=["Anna Silva"])
    assert not found("anna lisbon", tags=tags, names=["Joana"])


def test_the_last_word_is_a_prefix_only_while_typing() -> None:
    assert matches(parse("coff", typing=True), photo_words(["Food/Coffee"], [], "a.jpg"))
    assert not matches(parse("coff"), photo_words(["Food/Coffee"], [], "a.jpg"))
    assert not matches(parse("coff ", typing=True), photo_words(["Food/Coffee"], [], "a.jpg"))
    assert not matches(parse("co food", typing=True), photo_words(["Food/Coffee"], [], "a.jpg"))
    assert not matches(parse('"food cof"', typing=True), photo_words(["Food/Coffee"], [], "a"))


def test_the_matcher_agrees_with_matches() -> None:
    photos = [
        (["Animals/Cat", "Dates/2024/2024-06"], ["Anna Conceição"], "/p/IMG_1234.jpg", []),
        (["Food/Coffee", "Projects/Concatenate"], [], "/p/scatter-plot.png", ["dining table"]),
        ([], [], os.fsdecode(b"/p/Caf\xe9 9876.jpg"), ["cup", "person"]),
        (["Pets/Guinea Pig", "Time of day/Evening"], ["Ana"], "/p/x.JPG", ["cell phone"]),
    ]
    queries = ["cat", "cat 2024", "anna", "conceicao img", "1234", "9876 jpg", "caf", "co"]
    queries += ['"guinea pig" evening', "day", "2024-06", "png", "nothing", "2024 anna 1234"]
    queries += ["table", '"dining table" coffee', "cup 9876", "phone ana", '"table dining"']
    for query in queries:
        for typing in (False, True):
            terms = parse(query, typing)
            matcher = Matcher(terms)
            for tags, names, path, objects in photos:
                expected = matches(terms, photo_words(tags, names, path, objects))
                got = matcher.photo(tags, names, path, objects)
                assert got == expected, (query, typing, path)
    assert matches(parse("table"), photo_words([], [], "x.jpg", ["dining table"]))
    assert not matches(parse("tab"), photo_words([], [], "x.jpg", ["dining table"]))
    assert tag_fields("Time of day/Evening") == (("time", "of", "day"), ("evening",))


# --- a whole library, from its files -------------------------------------------------------------


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("search"), Models.load(default_models_dir()))


def search(library: Path, query: str) -> list[str]:
    threshold = models_threshold(default_models_dir())
    with Library.open(library) as lib:
        rows = find(lib, parse(query), threshold)
    return sorted(os.path.basename(r[PATH]) for r in rows)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("cat", ["chelsea.jpg"]),  # not scatter-plot.png, nor the photo tagged Concatenate
        ("coffee", ["coffee.jpg"]),
        ("Anna Lisbon", ["obama.jpg"]),  # a person's name and a place
        ("anna", ["obama.jpg", "obama2.jpg"]),
        ("conceicao 2023", ["obama2.jpg"]),  # without the accent
        ("2024", ["chelsea.jpg", "obama.jpg"]),
        ("2024-06 cat", ["chelsea.jpg"]),
        ("2023-12", ["coffee.jpg"]),
        ("sao paulo", ["obama2.jpg"]),  # Places/Brazil/São Paulo, from its GPS
        ("ferias", ["obama2.jpg"]),
        ('"guinea pig" evening', ["chelsea.jpg"]),
        ("img_1234", ["IMG_1234.jpg"]),
        ("scatter", ["scatter-plot.png"]),
        ("9876", [NOT_UTF8]),
        ("new york coffee 2023", ["coffee.jpg"]),
        ("unicorn", []),
        ("cat coffee", []),
    ],
)
def test_find_searches_tags_people_places_dates_and_file_names(
    library: Path, query: str, names: list[str]
) -> None:
    assert search(library, query) == sorted(names)


def test_find_searches_the_objects_found_in_a_photo(library: Path, tmp_path: Path) -> None:
    """Objects whose class gives no tag (a table, a cup) are found by a search all the same."""
    copy = tmp_path / "library"
    shutil.copytree(library, copy)
    assert search(copy, "table") == []
    with Library.open(copy) as lib:
        coffee = next(c for c, p in lib.index.photo_files() if p.endswith("coffee.jpg"))
        lib.index.set_objects(coffee, [("dining table", 0.6, (0.0, 0.0, 9.0, 9.0))])
    assert search(copy, "table") == ["coffee.jpg"]
    assert search(copy, '"dining table" new york') == ["coffee.jpg"]
    assert search(copy, "table cat") == []


def test_find_follows_what_the_user_removed_and_who_is_merged(
    library: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "library"
    shutil.copytree(library, copy)
    with Library.open(copy) as lib:
        doc = lib.document
        cat = next(c for c in doc.photo_ids() if "Animals/Cat" in lib.document.auto_tags(c))
        doc.set_user_tag(cat, "Animals/Cat", False)
        anna = next(p["id"] for p in doc.people() if p["name"])
        someone = doc.new_person("Maria")
        doc.merge_people(anna, someone)  # Anna's faces are Maria's now
    assert search(copy, "cat") == []
    assert search(copy, "anna") == []
    assert search(copy, "maria lisbon") == ["obama.jpg"]
