"""What the window needs to know about each photo to filter and search, as plain functions.

A photo's facts (its tags as the user sees them, where each came from, its people) are read from
the document once and kept in a `FactsIndex`, which also keeps the counts the filter tree shows.
The index is filled a slice at a time (session.py), so a large library opens without waiting.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from photo_tagger.app.search import Matcher, parse
from photo_tagger.app.search_marks import split
from photo_tagger.store import rules
from photo_tagger.store.catalog import CID, PATH, Row
from photo_tagger.store.marks import NO_MARKS, Marks

# The models' modules (and numpy) are imported when the first photo's facts are read, not when
# the window starts: the grid paints before the library is even open.

SOURCE_NAMES = {rules.PHOTO: "photo", rules.LOCAL: "model", rules.CLOUD: "cloud", "user": "you"}


class DocumentReader(Protocol):
    """The reads of a Library (store/library.py) this module uses."""

    def auto_tags(self, photo_id: str) -> dict[str, dict[str, Any]]: ...
    def user_tags(self, photo_id: str) -> dict[str, bool]: ...
    def faces(self, photo_id: str) -> tuple[str | None, list[dict[str, Any]]]: ...
    def face_person(self, photo_id: str, face: int) -> tuple[str, bool] | None: ...
    def marks(self, photo_id: str) -> Marks: ...
    def user_faces(self, photo_id: str) -> dict[int, list[float]]: ...
    def object_labels(self, photo_id: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class TagFact:
    score: float  # 1.0 for a tag the user added
    source: str  # "you", "model", "cloud" or "photo" (its place, date, event)
    model: str | None = None

    @property
    def label(self) -> str:
        """The source as the tag editor names it: what the photo says is a fact, a guess (a
        date from the file's time) or a suggestion (a place from a neighbouring photo)."""
        if self.source != "photo" or self.score >= 1.0:
            return self.source
        from photo_tagger.context import GUESS_SCORE

        return "guess" if self.score <= GUESS_SCORE else "suggested"


@dataclass(frozen=True)
class PhotoFacts:
    tags: dict[str, TagFact]  # the tags the user sees
    people: frozenset[str]  # person ids of the photo's faces, as stored (resolve merges)
    faces: int
    best_model_score: float  # the best score a model gave a tag that is not a People tag
    user_tagged: bool  # the user added or removed a tag
    cloud_model: str | None = None  # the cloud model that refined the photo's tags, if one did
    marks: Marks = NO_MARKS  # its rating, favourite and reject flags
    confirmed: frozenset[str] = frozenset()  # person ids (as stored) the user confirmed on a face
    objects: tuple[str, ...] = ()  # the classes of the objects found in it, best first

    @property
    def untagged(self) -> bool:
        """No tag of a model's or the user's, and no person: what a photo carries (its date,
        even a guessed one, place, event, time of day, season) tells nothing of what it shows."""
        return not self.people and all(fact.source == "photo" for fact in self.tags.values())

    def low_confidence(self, cutoff: float) -> bool:
        """The models are unsure what the photo shows, and the user has not said."""
        return not self.user_tagged and self.best_model_score < cutoff


def best_model_score(auto: Mapping[str, Mapping[str, Any]]) -> float:
    """How sure the models are of the photo: the best score of their most specific tags, People
    tags left out (0.0 with none). See rules.model_confidence."""
    return rules.model_confidence(auto)


def read_facts(doc: DocumentReader, photo_id: str, threshold: Callable[[str], float]) -> PhotoFacts:
    """The photo's facts: its tags by the document's rule (store/rules.py), each with where it
    came from, its people, and the best score a model gave it."""
    auto = doc.auto_tags(photo_id)
    user = doc.user_tags(photo_id)
    tags: dict[str, TagFact] = {}
    for tag, score in rules.effective_tags(auto, user, threshold).items():
        a = auto.get(tag)
        if user.get(tag) or a is None:
            tags[tag] = TagFact(1.0, "you")
        else:
            tags[tag] = TagFact(score, SOURCE_NAMES.get(a["source"], a["source"]), a.get("model"))
    _, faces = doc.faces(photo_id)
    drawn = doc.user_faces(photo_id)  # faces the user drew by hand
    people, confirmed = set(), set()
    for i in [*range(len(faces)), *drawn]:
        fp = doc.face_person(photo_id, i)
        if fp is not None:
            people.add(fp[0])
            if fp[1]:
                confirmed.add(fp[0])
    cloud = rules.cloud_model_of(auto)
    best = best_model_score(auto)
    marks = doc.marks(photo_id)
    faces_in_all = len(faces) + len(drawn)
    return PhotoFacts(
        tags,
        frozenset(people),
        faces_in_all,
        best,
        bool(user),
        cloud,
        marks,
        frozenset(confirmed),
        doc.object_labels(photo_id),
    )


def tag_nodes(tags: Iterable[str]) -> set[str]:
    """Every node of the tag tree a photo with these tags appears under ("A/B" is under "A")."""
    nodes: set[str] = set()
    for tag in tags:
        while tag:
            nodes.add(tag)
            tag = tag.rpartition("/")[0]
    return nodes


@dataclass
class FactsIndex:
    """Facts per photo, and the counts of photos per tag node and per person."""

    facts: dict[str, PhotoFacts] = field(default_factory=dict)
    tag_counts: Counter[str] = field(default_factory=Counter)
    person_counts: Counter[str] = field(default_factory=Counter)
    low_cutoff: float = 0.5  # what "low confidence" means (a setting)
    untagged: int = 0
    low: int = 0
    refined: int = 0  # photos refined in the cloud
    duplicates: dict[str, str] = field(default_factory=dict)  # photo -> its group's keeper
    stars: Counter[int] = field(default_factory=Counter)  # photos per number of stars
    favourites: int = 0
    rejects: int = 0

    def get(self, photo_id: str) -> PhotoFacts | None:
        return self.facts.get(photo_id)

    def __contains__(self, photo_id: object) -> bool:
        return photo_id in self.facts

    def __len__(self) -> int:
        return len(self.facts)

    def put(self, photo_id: str, facts: PhotoFacts) -> None:
        self.discard(photo_id)
        self.facts[photo_id] = facts
        self.tag_counts.update(tag_nodes(facts.tags))
        self.person_counts.update(facts.people)
        self.untagged += facts.untagged
        self.low += facts.low_confidence(self.low_cutoff)
        self.refined += facts.cloud_model is not None
        self.stars[facts.marks.stars] += 1
        self.favourites += facts.marks.is_favourite
        self.rejects += facts.marks.is_rejected

    def discard(self, photo_id: str) -> None:
        old = self.facts.pop(photo_id, None)
        if old is not None:
            self.tag_counts.subtract(tag_nodes(old.tags))
            self.person_counts.subtract(old.people)
            self.untagged -= old.untagged
            self.low -= old.low_confidence(self.low_cutoff)
            self.refined -= old.cloud_model is not None
            self.stars[old.marks.stars] -= 1
            self.favourites -= old.marks.is_favourite
            self.rejects -= old.marks.is_rejected

    def clear(self) -> None:
        self.facts.clear()
        self.tag_counts.clear()
        self.person_counts.clear()
        self.stars.clear()
        self.untagged = self.low = self.refined = self.favourites = self.rejects = 0

    def all_tags(self) -> list[str]:
        return sorted(t for t, n in self.tag_counts.items() if n > 0)


# --- filters -------------------------------------------------------------------------------------

ALL, UNTAGGED, LOW, CLOUD, DUPLICATES = "all", "untagged", "low", "cloud", "duplicates"
TAG, PERSON = "tag", "person"
RATING, FAVOURITES, REJECTED = "rating", "favourites", "rejected"  # RATING: value, least stars
FOLDER, FOLDER_TREE = "folder", "folder-tree"  # the photos in a folder (and its subfolders)
PHOTOS = "photos"  # the photos picked on the map (gui/map_page.py)


@dataclass(frozen=True)
class Filter:
    """What the grid shows: one node of the filter tree, narrowed by the search text (the
    window searches with the filter on all photos: the whole library)."""

    kind: str = ALL
    value: str = ""  # a tag ("Animals/Cat", "Dates/2024/05"), a person id, stars ("4"), a folder
    text: str = ""
    photos: frozenset[str] = frozenset()  # PHOTOS: these photos


def keeps_marks(kind: str, value: str, marks: Marks) -> bool:
    """Whether a photo with these marks passes a filter on ratings and flags."""
    if kind == RATING:
        return value.isdigit() and marks.stars >= int(value)
    if kind == FAVOURITES:
        return marks.is_favourite
    return kind == REJECTED and marks.is_rejected


def has_tag(tags: Iterable[str], wanted: str) -> bool:
    prefix = wanted + "/"
    return any(t == wanted or t.startswith(prefix) for t in tags)


def apply_filter(
    rows: list[Row],
    flt: Filter,
    index: FactsIndex,
    resolve: Callable[[str], str],
    names: Mapping[str, str],
    low_cutoff: float,
) -> list[Row]:
    """The rows `flt` keeps, in their order. Photos whose facts are not read yet pass a filter
    that needs them only when it is "all" (they are checked again once read); the search text
    matches them by file name until then. The search text is matched as the command line's
    `search` matches it (app/search.py), its last word, while typed, as the start of a word."""
    kind, value = flt.kind, flt.value
    text, marked = split(flt.text)
    terms = parse(text, typing=True)
    folder = in_folder(kind, value)
    if (kind == ALL or folder is not None) and not terms and marked is None:
        return rows if folder is None else [r for r in rows if folder(r[PATH])]
    matcher = Matcher(terms) if terms else None
    # names matter only when one matches: then each photo's people are looked up
    with_names = matcher is not None and any(matcher.name_mask(n) for n in names.values())
    name_of: dict[str, str | None] = {}  # person id as stored -> their name

    def keep(row: Row) -> bool:
        facts = index.get(row[CID])
        if kind == ALL:
            ok = True
        elif folder is not None:
            ok = folder(row[PATH])
        elif kind in (DUPLICATES, PHOTOS):
            ok = row[CID] in (index.duplicates if kind == DUPLICATES else flt.photos)
        elif facts is None:
            return False
        else:
            ok = facts_keep(facts, flt, resolve, low_cutoff)
        if ok and marked is not None:
            ok = facts is not None and marked.keeps(facts.marks)
        if not ok or matcher is None:
            return ok
        if facts is None:
            return matcher.photo((), (), row[PATH])
        people: list[str] = []
        for p in facts.people if with_names else ():
            name = name_of[p] if p in name_of else name_of.setdefault(p, names.get(resolve(p)))
            if name:
                people.append(name)
        return matcher.photo(facts.tags, people, row[PATH], facts.objects)

    kept = [r for r in rows if keep(r)]
    if kind == DUPLICATES:
        best_first(kept, index.duplicates)
    return kept


def best_first(rows: list[Row], keep_of: Mapping[str, str]) -> None:
    """Near-duplicates group by group, the one to keep first (in place)."""
    rank: dict[str, int] = {}
    for r in rows:
        rank.setdefault(keep_of[r[CID]], len(rank))
    rows.sort(key=lambda r: (rank[keep_of[r[CID]]], r[CID] != keep_of[r[CID]]))


def facts_keep(
    facts: PhotoFacts, flt: Filter, resolve: Callable[[str], str], low_cutoff: float
) -> bool:
    """Whether a photo whose facts are read is one `flt` picks (for the kinds that read them)."""
    kind, value = flt.kind, flt.value
    if kind == UNTAGGED:
        return facts.untagged
    if kind == LOW:
        return facts.low_confidence(low_cutoff)
    if kind == CLOUD:
        return facts.cloud_model is not None
    if kind == TAG:
        return has_tag(facts.tags, value)
    if kind == PERSON:
        return any(resolve(p) == value for p in facts.people)
    return keeps_marks(kind, value, facts.marks)


def in_folder(kind: str, folder: str) -> Callable[[str], bool] | None:
    """For a folder filter, whether a photo's path is in the folder (or under it)."""
    if kind == FOLDER:
        return lambda path: os.path.dirname(path) == folder
    under = folder.rstrip(os.sep) + os.sep
    return (lambda path: path.startswith(under)) if kind == FOLDER_TREE else None
