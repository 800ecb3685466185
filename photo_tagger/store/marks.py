"""A photo's rating (0-5 stars), favourite flag and reject flag: what the user says of a photo's
worth, as digiKam, Lightroom and Apple Photos users mark their photos.

Each is kept in the shared document's "marks" root under its own key, "<content id>|rating",
"<content id>|favourite" and "<content id>|rejected", so two devices that mark the same photo
offline converge field by field (one writer wins per photo and field, as for a tag). A field the
user never set is absent (None here), which is not the same as 0 stars or "not a favourite": an
import from another application's sidecar fills in only what is absent.

Plain values and checks; the reads and writes are in doc_marks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from photo_tagger.store.doc_values import Problem, is_number, photo_id_problem, short

SEP = "|"
RATING, FAVOURITE, REJECTED = "rating", "favourite", "rejected"
FIELDS = (RATING, FAVOURITE, REJECTED)
MAX_STARS = 5


@dataclass(frozen=True)
class Marks:
    """What the user said of a photo; None: never said (read as 0 stars, no flag)."""

    rating: int | None = None
    favourite: bool | None = None
    rejected: bool | None = None

    @property
    def stars(self) -> int:
        return self.rating or 0

    @property
    def is_favourite(self) -> bool:
        return bool(self.favourite)

    @property
    def is_rejected(self) -> bool:
        return bool(self.rejected)

    @property
    def empty(self) -> bool:
        """Nothing was ever said of the photo."""
        return self.rating is None and self.favourite is None and self.rejected is None

    def get(self, name: str) -> int | bool | None:
        return getattr(self, name)  # type: ignore[no-any-return]

    def as_dict(self) -> dict[str, int | bool | None]:
        return {RATING: self.rating, FAVOURITE: self.favourite, REJECTED: self.rejected}

    def known(self) -> dict[str, int | bool]:
        """The fields the user set (what `photo-tagger export` prints)."""
        return {k: v for k, v in self.as_dict().items() if v is not None}


NO_MARKS = Marks()


def rating_problem(value: Any) -> Problem | None:
    """What makes `value` no rating (a whole number of stars, 0 to 5), or None. A number that
    went through another device may come back as a float (3.0), which is a rating."""
    if not is_number(value) or not float(value).is_integer():
        return f"the rating is {short(value)}, not a whole number of stars"
    if not 0 <= value <= MAX_STARS:
        return f"the rating is {int(value)}, not 0 to {MAX_STARS} stars"
    return None


def mark(key: Any, value: Any) -> tuple[tuple[str, str, int | bool] | None, Problem | None]:
    """A "marks" entry: (photo id, field, value), or None with what is wrong in words."""
    photo_id, sep, name = str(key).partition(SEP)
    if not sep or photo_id_problem(photo_id) or name not in FIELDS:
        return None, f"{short(key)} is not a photo and a rating, favourite or rejected"
    if name == RATING:
        problem = rating_problem(value)
        return (None, problem) if problem else ((photo_id, name, int(value)), None)
    if not isinstance(value, bool):
        return None, f"its {name} flag is {short(value)}, not true or false"
    return (photo_id, name, value), None


def check_value(name: str, value: int | bool) -> None:
    """Refuse (ValueError) a value this program would write that no reader would take."""
    if name not in FIELDS:
        raise ValueError(f"unknown mark {name!r} (known: {', '.join(FIELDS)})")
    problem = rating_problem(value) if name == RATING else None
    if name != RATING and not isinstance(value, bool):
        problem = f"the {name} flag must be true or false, not {value!r}"
    if problem:
        raise ValueError(problem)
