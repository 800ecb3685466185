"""What an update writes into the shared document, checked with the rules every read applies.

Whoever applies updates from elsewhere (the sync server, before it stores a device's changes)
can watch the document while it does (`watch`) and then ask which of the written values no read
would take (`Written.malformed`), with doc_check's rules. Only what changed is looked at: the keys
that the roots' events name, with the value the last event gave each (a write inside a nested
value, such as a person's name, counts as writing that person's entry, read once everything
watched is applied).

Removing is never a problem: a key removed, or a field removed inside a person, is not looked
at. Nor are roots that no read knows (the quarantine, or a root a newer version adds), so that
older servers keep accepting what newer devices write there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from pycrdt import Doc, Map, MapEvent

from photo_tagger.store import doc_values
from photo_tagger.store.doc_check import ROOTS, Malformed, problems

_READ = object()  # changed inside: read from the document once everything is applied


class Written:
    """The values the known roots were given while watched, and what is wrong with them."""

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        # root -> key -> its value as the last event left it (_READ: read it from the document)
        self.values: dict[str, dict[str, Any]] = {root: {} for root in ROOTS}

    def note(self, root: str, events: list[Any]) -> None:
        values = self.values[root]
        for event in events:
            path = event.path
            if path:  # inside the value of the root's key path[0]
                if _writes(event):
                    values[str(path[0])] = _READ
                continue
            for key, change in event.keys.items():
                if change["action"] == "delete":
                    values.pop(key, None)
                else:
                    values[key] = change["newValue"]

    def malformed(self) -> list[Malformed]:
        """The written values that some read would skip, by root and key."""
        found = []
        with self._doc.transaction():
            for root, values in self.values.items():
                shared = self._doc.get(root, type=Map)
                for key in sorted(values):
                    value = values[key]
                    if value is _READ:
                        if key not in shared:  # changed inside, then removed
                            continue
                        value = shared[key]
                    for problem in problems(root, key, value):
                        found.append(Malformed(root, key, doc_values.describe(root, key), problem))
        return found


def _writes(event: Any) -> bool:
    """Whether a nested value's event adds or changes anything (rather than only removing)."""
    if isinstance(event, MapEvent):
        changes: dict[str, Any] = getattr(event, "keys")  # noqa: B009 (a slot pycrdt does not type)
        return any(change["action"] != "delete" for change in changes.values())
    delta = getattr(event, "delta", None)
    if isinstance(delta, list):  # an Array's or a Text's: inserts, deletes and retains
        return any("insert" in part or "attributes" in part for part in delta)
    return True  # any other change: looked at


@contextmanager
def watch(doc: Doc) -> Iterator[Written]:
    """Note what the document's known roots are written while inside."""
    written = Written(doc)
    subscriptions = []
    try:
        for root in ROOTS:
            shared = doc.get(root, type=Map)
            subscriptions.append((shared, shared.observe_deep(partial(written.note, root))))
        yield written
    finally:
        for shared, subscription in subscriptions:
            shared.unobserve(subscription)
