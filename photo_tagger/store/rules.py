"""The merge rules of the shared document, as plain functions over plain values.

Every device applies the same rules to the same converged document, so they must be deterministic
and must not depend on the order in which edits arrived.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from photo_tagger.errors import TagNameError

Box = Sequence[float]  # x0, y0, x1, y1

# Where a photo's auto tags come from: the models on this computer, the cloud model (both in the
# shared document), and what the photo itself carries, its place, date and event (worked out on
# each computer from its own files and kept in its local index).
LOCAL, CLOUD, PHOTO = "local", "cloud", "photo"

MAX_TAG_LENGTH = 200


@lru_cache(maxsize=8192)  # read for every tag of every photo, and a library has few tag names
def tag_problem(tag: str) -> str | None:
    """What makes `tag` no tag name, in words, or None when it is one: parts of the tag tree
    separated by "/", none empty, no control character (XMP, i.e. XML, cannot hold them), at most
    MAX_TAG_LENGTH characters."""
    if not tag.strip():
        return "it is empty"
    if len(tag) > MAX_TAG_LENGTH:
        return f"it is {len(tag)} characters long, more than {MAX_TAG_LENGTH}"
    bad = _CONTROL.search(tag)
    if bad is not None:
        return f"it holds the control character U+{ord(bad.group()):04X}"
    if any(not part.strip() for part in tag.split("/")):
        return 'one of its parts between "/" is empty'
    return None


def clean_tag(text: str) -> str:
    """`text` as a tag name (each part between "/" trimmed); raises TagNameError saying what is
    wrong when it names no tag. Every tag that is stored goes through here."""
    problem = tag_problem(text) if isinstance(text, str) else "it is not text"
    if problem:
        raise TagNameError(f"{text!r} cannot be a tag: {problem}.")
    return "/".join(part.strip() for part in text.split("/"))


# Unicode's control characters (category Cc), lone surrogates (Cs) and the two noncharacters
# U+FFFE and U+FFFF: none can stand in XML
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def merge_auto(by_source: Mapping[str, Mapping[str, Any] | None]) -> dict[str, dict[str, Any]]:
    """tag -> {"score", "source", "model"} from each source's {"model", "tags"} record.

    Sources are applied in the order given, so a later source overrides an earlier one for the tags
    they both scored: the cloud model is asked precisely when the local one is unsure, so its
    verdict (even a low score) is the better one.
    """
    merged: dict[str, dict[str, Any]] = {}
    for source, record in by_source.items():
        if not record:
            continue
        for tag, score in record["tags"].items():
            merged[tag] = {"score": float(score), "source": source, "model": record["model"]}
    return merged


def effective_tags(
    auto: Mapping[str, Mapping[str, Any]],
    user: Mapping[str, bool],
    threshold: Callable[[str], float],
) -> dict[str, float]:
    """Auto tags at or over their threshold, plus user-added (1.0), minus user-removed.

    User intent always wins: a tag the user removed stays removed whatever a model says later.
    What the photo itself says (source "photo": its place, date, event) needs no threshold: a
    score under 1 marks a guess or a suggestion, which is shown as such. A model's broad tag
    ("Animals") is shown only with a more specific one of its own under it ("Animals/Cat"):
    its score sums many classes, and alone it says the model could not tell what it saw.
    """
    tags: dict[str, float] = {}
    broad: set[str] = set()  # model tags with a model tag under them
    for t, a in auto.items():
        score = float(a["score"])
        if a.get("source") == PHOTO:
            tags[t] = score
            continue
        if "/" in t:
            broad.update(_ancestors(t))
        if score >= threshold(t):
            tags[t] = score
    if broad:
        _drop_bare(tags, broad, auto)
    for tag, present in user.items():
        if present:
            tags[tag] = 1.0
        else:
            tags.pop(tag, None)
    return tags


def _drop_bare(
    tags: dict[str, float], broad: set[str], auto: Mapping[str, Mapping[str, Any]]
) -> None:
    """Take out of `tags` each broad model tag left with no shown tag under it, deepest first
    (a bare "Vehicles/Aircraft" goes, and then "Vehicles" above it, if nothing else holds it)."""
    under: dict[str, int] = {}  # tag -> shown model tags under it
    for t in tags:
        if "/" in t and t in auto:
            for p in _ancestors(t):
                under[p] = under.get(p, 0) + 1
    for t in sorted(broad & tags.keys(), key=lambda t: -t.count("/")):
        if not under.get(t) and auto[t].get("source") != PHOTO:
            del tags[t]
            for p in _ancestors(t):
                under[p] -= 1


# Two different animals each named at this score or more: the classifier alone cannot do that (its
# probabilities sum to 1), so the object detector saw another animal than the classifier did.
DISAGREE_SCORE = 0.5
ANIMALS = "Animals"


def model_confidence(
    auto: Mapping[str, Mapping[str, Any]],
    sources: tuple[str, ...] = (LOCAL, CLOUD),
    with_people: bool = False,
) -> float:
    """How sure the models are of what the photo shows: the best score of their most specific
    tags ("Animals/Cat", not "Animals", whose score sums every animal class), the face
    detector's People tags counted only `with_people` (0.0 when they saw nothing). What "unsure"
    is measured by.

    When the models name two different animals ("Animals/Dog" and "Animals/Horse", neither above
    the other) each at DISAGREE_SCORE or more, they disagree (or the photo holds two kinds of
    animal: worth a look too): the confidence is then how far the first is ahead of the second."""
    scored = {
        t: float(a["score"])
        for t, a in auto.items()
        if a.get("source") in sources
        and (with_people or (t != "People" and not t.startswith("People/")))
    }
    broad = {p for t in scored if "/" in t for p in _ancestors(t)}
    specific = {t: s for t, s in scored.items() if t not in broad}
    best = max(specific.values(), default=0.0)
    animals = sorted(
        (s for t, s in specific.items() if t.startswith(ANIMALS + "/") and s >= DISAGREE_SCORE),
        reverse=True,
    )
    if len(animals) >= 2:
        return min(best, round(animals[0] - animals[1], 3))
    return best


@lru_cache(maxsize=8192)
def _ancestors(tag: str) -> tuple[str, ...]:
    """ "A/B/C" -> ("A", "A/B")."""
    parts = tag.split("/")
    return tuple("/".join(parts[:k]) for k in range(1, len(parts)))


def cloud_model_of(auto: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The cloud model that refined a photo's auto tags (source "cloud"), or None."""
    return next((str(a["model"]) for a in auto.values() if a.get("source") == CLOUD), None)


def is_guess(auto: Mapping[str, Any] | None, user_said: bool | None) -> bool:
    """What the photo carries but only as a guess or a suggestion (a date from the file's time,
    a place from a neighbouring photo: a score under 1), and the user has not confirmed it."""
    if not auto or user_said:
        return False
    return bool(auto["source"] == PHOTO and auto["score"] < 1.0)


def resolve_person(person: str, merged_into: Callable[[str], str | None]) -> str:
    """The person `person` ends up as after following merges.

    Two devices merging A into B and B into A while offline make a cycle; every device then picks
    the smallest id of the cycle, so they all agree without talking to each other.
    """
    seen: list[str] = []
    current = person
    while True:
        if current in seen:
            cycle = seen[seen.index(current) :]
            return min(cycle)
        seen.append(current)
        nxt = merged_into(current)
        if not nxt:
            return current
        current = nxt


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_faces(old: Sequence[Box], new: Sequence[Box], min_iou: float = 0.5) -> dict[int, int]:
    """old face index -> new face index for the faces a new detection found again.

    Used when a photo's faces are detected anew (a newer detector): what the user said about face i
    follows that face to its new index. Greedy by overlap, each face matched at most once.
    """
    pairs = sorted(
        ((iou(a, b), i, j) for i, a in enumerate(old) for j, b in enumerate(new)),
        reverse=True,
    )
    matched: dict[int, int] = {}
    used: set[int] = set()
    for overlap, i, j in pairs:
        if overlap < min_iou:
            break
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched
