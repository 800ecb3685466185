"""Why the library keeps the photo it keeps of each near-duplicate group, in words.

`find_duplicates` (app/context.py) stores for each photo of a group the one to keep, not why. The
window asks here: the same facts are read again from the index (each photo's full size, its
largest file, its signature's sharpness) and weighed by the same rule (`best_and_why` in
photo_tagger.duplicates). Where the facts changed since the groups were made and the rule now
picks another photo, no reason is given rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from photo_tagger.duplicates import PhotoFacts, Signature, best_and_why
from photo_tagger.store.index import LocalIndex


def keep_reasons(index_file: Path, groups: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Photo kept -> why ("the most pixels, then the largest file"), for each group given as
    the photo kept -> its photos. Groups whose facts cannot be read, or no longer pick the photo
    kept, are left out."""
    reader = LocalIndex.open_reader(index_file)
    try:
        sizes = reader.photo_sizes()
        reasons: dict[str, str] = {}
        for kept, members in groups.items():
            facts: dict[str, PhotoFacts] = {}
            for pid in members:
                capture = reader.capture(pid)
                if capture is None or not capture.signature or pid not in sizes:
                    break
                try:
                    sharpness = Signature.from_bytes(capture.signature).sharpness
                except ValueError:  # made by another version: the next analysis redoes it
                    break
                facts[pid] = PhotoFacts(*sizes[pid], sharpness=sharpness)
            else:
                best, why = best_and_why(list(members), facts)
                if best == kept:
                    reasons[kept] = ", then ".join(why)
        return reasons
    finally:
        reader.close()
