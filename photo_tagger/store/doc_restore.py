"""Putting the shared document back as an earlier state of it read: one update, written on top
of the current history like any edit, so every replica merges it as it merges any other (no
history is rewritten, and a replica that never saw the earlier state still converges).

Every root of the layout (doc_layout.ROOTS) is a Map: keys the earlier state lacks are removed,
keys it has are written again where they are missing or read otherwise; a nested Map (a person)
is set back key by key, so an edit of another of its keys made elsewhere at the same time is kept.
Roots this version does not know (from a newer photo-tagger) are left as they are and named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Doc, Map, Text

from photo_tagger.store.doc_layout import NESTED_ROOTS, ROOTS
from photo_tagger.store.wire import decode_state_vector

PLAIN = (str, bool, type(None))  # values that read back exactly from a root's JSON


@dataclass
class Restoration:
    """What setting the document back takes."""

    update: bytes | None  # None: the document already reads as the earlier state
    changed: dict[str, int] = field(default_factory=dict)  # root -> keys set back or removed
    unknown_roots: list[str] = field(default_factory=list)  # left as they are

    @property
    def keys_changed(self) -> int:
        return sum(self.changed.values())


def restoration(current: bytes, earlier: bytes) -> Restoration:
    """The update that takes a document holding `current` (a whole state, as Doc.get_update
    encodes it) to what `earlier` (another whole state of the same document) holds. ValueError
    if either cannot be read, or if the result would not read as `earlier` does."""
    before = _load(earlier)
    doc = _fresh_writer(current)
    state = doc.get_state()
    out = Restoration(update=None)
    wanted = {name: _read(before.get(name, type=Map)) for name in ROOTS}
    with doc.transaction():
        for name in ROOTS:
            target, source = doc.get(name, type=Map), before.get(name, type=Map)
            changed = _set_back(target, source, wanted[name], name in NESTED_ROOTS)
            if changed:
                out.changed[name] = changed
    out.unknown_roots = sorted((set(doc.keys()) | set(before.keys())) - set(ROOTS))
    for name in ROOTS:
        if _read(doc.get(name, type=Map)) != wanted[name]:
            raise ValueError(f"the root {name!r} would not read as the earlier state does")
    if out.changed:
        out.update = doc.get_update(state)
    return out


def _load(update: bytes) -> Doc:
    doc: Doc = Doc()
    doc.apply_update(update)
    return doc


def _fresh_writer(current: bytes) -> Doc:
    """A replica of `current` whose own edits come under a client id none of its items has."""
    while True:
        writer = _load(current)
        if writer.client_id not in decode_state_vector(writer.get_state()):
            return writer


def _read(shared: Map) -> dict[str, Any]:
    """What a Map holds, nested shared types read as plain values (pycrdt's JSON, which is
    faster than reading it key by key)."""
    value = json.loads(str(shared))
    return value if isinstance(value, dict) else {}


def _set_back(target: Map, source: Map, wanted: dict[str, Any], nested: bool) -> int:
    """Make `target` read as `source` (which reads as `wanted`) does; how many of its keys were
    written or removed. `nested`: its values are shared types (a Map per person), which are
    written, and compared, as what they are; other values are plain, read from the JSON."""
    now = _read(target)
    changed = 0
    for key in now.keys() - wanted.keys():
        del target[key]
        changed += 1
    for key, value in wanted.items():
        plain = isinstance(value, PLAIN) or (not nested and isinstance(value, (dict, list)))
        new = value if plain else source[key]  # numbers too: an int is not a float there
        if key in now and now[key] == value and (not nested or type(target[key]) is type(new)):
            continue  # the same (and of the same kind: a nested Map is not a plain dict)
        old = target[key] if key in now else None
        if isinstance(old, Map) and isinstance(new, Map):
            _set_back(old, new, value, nested=True)
        else:
            target[key] = _prelim(new)
        changed += 1
    return changed


def _prelim(value: Any) -> Any:
    """A copy of `value` to write into another document (shared types are written afresh)."""
    if isinstance(value, Map):
        return Map({k: _prelim(v) for k, v in value.items()})
    if isinstance(value, Array):
        return Array([_prelim(v) for v in value])
    if isinstance(value, Text):
        return Text(str(value))
    return value
