"""Ratings and flags in a search: `rating:>=4`, `rating:5`, `rating:<=2`, `is:favourite` (or
`is:favorite`) and `is:rejected`, among the words of a query, in the window's search field and in
`photo-tagger search` alike. Such a term narrows the photos the other words find (alone, it finds
every photo it keeps); the other words are matched as search.py says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from photo_tagger.store.marks import MAX_STARS, Marks

_TERM = re.compile(
    r"(?<!\S)(?:rating:(?P<op>>=|<=|=)?(?P<stars>\d+)|is:(?P<flag>favou?rite|rejected))(?!\S)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MarksQuery:
    """What a query asks of the photos' ratings and flags."""

    least: int = 0  # stars, at least
    most: int = MAX_STARS  # stars, at most
    favourite: bool = False  # only favourites
    rejected: bool = False  # only rejected photos

    def keeps(self, marks: Marks) -> bool:
        return (
            self.least <= marks.stars <= self.most
            and (marks.is_favourite or not self.favourite)
            and (marks.is_rejected or not self.rejected)
        )


def split(query: str) -> tuple[str, MarksQuery | None]:
    """The query without its rating and flag terms, and what those ask (None: nothing)."""
    found = list(_TERM.finditer(query))
    if not found:
        return query, None
    asked = MarksQuery()
    for m in found:
        if m.group("flag"):
            flag = m.group("flag").lower()
            asked = MarksQuery(
                asked.least,
                asked.most,
                asked.favourite or flag != "rejected",
                asked.rejected or flag == "rejected",
            )
            continue
        stars = min(int(m.group("stars")), MAX_STARS + 1)
        op = m.group("op") or "="
        least = max(asked.least, stars) if op in (">=", "=") else asked.least
        most = min(asked.most, stars) if op in ("<=", "=") else asked.most
        asked = MarksQuery(least, most, asked.favourite, asked.rejected)
    return _TERM.sub(" ", query).strip(), asked
