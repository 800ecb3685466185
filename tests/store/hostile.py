"""Writing into a library's shared document the way another device would: through a pycrdt
update applied as a remote one (Library.log.apply_remote), never through our own setters."""

from __future__ import annotations

from collections.abc import Callable

from pycrdt import Doc, Map

from photo_tagger.store.library import Library

ROOTS = ("photos", "auto.cloud", "user", "face_person", "confirmed", "rejected", "people")


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
