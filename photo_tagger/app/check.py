"""`photo-tagger check`: the malformed records of a library's shared document, and repairing it.

Any device can write anything into the shared document; every read skips what is malformed
(store/doc_values.py). This lists all of it in words and, asked to repair, moves it into the
document's quarantine, which the program never reads (nothing is deleted: a record with a
well-formed part keeps that part in place). The repair is one edit, synced like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from photo_tagger.store.doc_check import Malformed
from photo_tagger.store.library import Library


@dataclass
class CheckReport:
    """What `check` found (`problems`, each in words) and how many it set aside."""

    problems: list[str] = field(default_factory=list)
    set_aside: int = 0

    @property
    def clean(self) -> bool:
        return not self.problems


def check_library(library: Library, repair: bool = False) -> CheckReport:
    """Every malformed record of the library's shared document; with `repair`, set aside."""
    malformed = library.document.malformed()
    report = CheckReport(problems=[str(m) for m in malformed])
    if repair and malformed:
        report.set_aside = library.document.set_aside(malformed)
    return report


def find_malformed(path: Path) -> list[Malformed]:
    """Every malformed record of the library in `path`, read from a copy of its own: for a
    caller that must not wait the seconds a large library takes (the window)."""
    with Library.open(path) as library:
        return library.document.malformed()


def set_aside(library: Library, malformed: list[Malformed]) -> int:
    """Move these records, where they are still malformed, into the quarantine: one edit."""
    return library.document.set_aside(malformed)
