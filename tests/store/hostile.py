"""Writing into a library's shared document the way another device would: through a pycrdt
update applied as a remote one (Library.log.apply_remote), never through our own setters; and
hypothesis strategies for anything such a device could write."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from pycrdt import Array, Doc, Map

from photo_tagger.store.doc_check import ROOTS
from photo_tagger.store.library import Library
from tests.store.conftest import PHOTO


def write_as_peer(library: Library, write: Callable[[dict[str, Map]], None]) -> None:
    """`write` gets the peer's root Maps, the peer having seen everything the library has (so its
    values win over the library's own), and the change reaches the library as a sync would."""
    peer = Doc()
    peer.apply_update(library.document.encode_state_as_update())
    roots = {name: peer.get(name, type=Map) for name in ROOTS}
    with peer.transaction():
        write(roots)
    library.log.apply_remote(peer.get_update(library.document.state_vector()))


def remove_everything(roots: dict[str, Map]) -> None:
    """What a device that deletes every photo, tag, face and person sends: valid edits, which
    every device receives (for `write_as_peer`)."""
    for shared in roots.values():
        for key in list(shared.keys()):
            del shared[key]


# --- anything a peer could write, into every root, under the keys the reads look at -------------

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats()
    | st.text(max_size=12)
)
JSONISH = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        PHOTO,
        f"{PHOTO}|0",
        f"{PHOTO}|1",
        f"{PHOTO}|Cat",
        f"{PHOTO}|0|p1",
        f"{PHOTO}|100000",
        f"{PHOTO}|rating",
        f"{PHOTO}|favourite",
        f"{PHOTO}|rejected",
        "p1",
        "p1|",
        "|",
        "",
    ]
) | st.text(max_size=40)
VALUES = st.one_of(
    JSONISH,
    JSONISH.map(lambda v: json.dumps(v)),  # JSON text of any shape
    st.dictionaries(st.text(max_size=8), LEAVES, max_size=4).map(lambda d: ("map", d)),
    st.lists(LEAVES, max_size=4).map(lambda v: ("array", v)),
)
WRITES = st.lists(st.tuples(st.sampled_from(ROOTS), KEYS, VALUES), min_size=1, max_size=8)


def peer_value(value: Any) -> Any:
    """A value drawn from VALUES as the peer writes it: ("map", ...) and ("array", ...) become
    a nested shared Map or Array."""
    if isinstance(value, tuple):
        return Map(value[1]) if value[0] == "map" else Array(value[1])
    return value
