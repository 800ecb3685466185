"""Near-duplicates: bursts, resized, re-encoded, edited and cropped copies of one photo, grouped so
that the user can keep the best one. Plain functions over signatures; no store, no models.

    sig = signature(decoded.rgb)              # once per photo, at scan time (~0.5 ms)
    blob = sig.to_bytes()                     # 1,045 bytes, versioned (SIGNATURE_VERSION)
    sig = Signature.from_bytes(blob)          # ValueError for another version: recompute
    groups = group_near_duplicates(ids, sigs, taken_times, cameras)
    keep = best_of(groups[0], {id: PhotoFacts(width, height, file_size, sig.sharpness), ...})

`signature.py` says what a signature holds, `compare.py` how two photos are compared allowing
crops, `grouping.py` how a library is grouped without comparing all pairs, and what is not found.
"""

from photo_tagger.duplicates.compare import similarity
from photo_tagger.duplicates.grouping import (
    PhotoFacts,
    best_and_why,
    best_of,
    group_near_duplicates,
)
from photo_tagger.duplicates.signature import SIGNATURE_VERSION, Signature, signature

__all__ = [
    "SIGNATURE_VERSION",
    "PhotoFacts",
    "Signature",
    "best_and_why",
    "best_of",
    "group_near_duplicates",
    "signature",
    "similarity",
]
