"""Every malformed value of the shared document at once, and setting them aside.

Reads skip a malformed value (doc_values.py); this finds them all, for `photo-tagger check`, and
moves them into the "quarantine" root, which the program never reads: nothing is lost, and a
person can still look at what another device wrote. One transaction, synced like any edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pycrdt import Map

from photo_tagger.store import doc_values
from photo_tagger.store.doc_layout import QUARANTINE, SEP, DocumentLayout
from photo_tagger.store.doc_layout import ROOTS as ALL_ROOTS
from photo_tagger.store.marks import mark

# QUARANTINE: root -> "<root>|<key>" -> JSON text {"root", "key", "value", "problem"}
# the roots whose values are checked: every root but the quarantine itself
ROOTS = tuple(r for r in ALL_ROOTS if r != QUARANTINE)


@dataclass(frozen=True)
class Malformed:
    """A value of the document that no read uses: `root` and `key` say where, `what` which
    photo, face or person it is about, `problem` what is wrong (both in words)."""

    root: str
    key: str
    what: str
    problem: str

    def __str__(self) -> str:
        return f"{self.what}: {self.problem}"


class DocumentCheck(DocumentLayout):
    """`malformed()` and `set_aside()`; see document.LibraryDocument."""

    def _roots(self) -> dict[str, Map]:
        return {root: self._doc.get(root, type=Map) for root in ROOTS}

    def malformed(self) -> list[Malformed]:
        """Every malformed value in the document, by root and key."""
        found: list[Malformed] = []
        with self._doc.transaction():
            for root, shared in self._roots().items():
                for key in sorted(shared.keys()):
                    for problem in problems(root, key, shared.get(key)):
                        found.append(Malformed(root, key, doc_values.describe(root, key), problem))
        return found

    def set_aside(self, malformed: list[Malformed]) -> int:
        """Move these values, where they are still malformed, into the quarantine root (a photo
        record keeps its well-formed part in place) as one transaction. Returns how many were
        moved."""
        roots = self._roots()
        moved = 0
        quarantine = self._doc.get(QUARANTINE, type=Map)
        with self._write():
            for item in {(m.root, m.key): m for m in malformed}.values():
                shared = roots[item.root]
                if item.key not in shared:
                    continue
                value = shared[item.key]
                if not problems(item.root, item.key, value):
                    continue  # put right since it was found (by another device, say)
                quarantine[f"{item.root}{SEP}{item.key}"] = _kept(item, value)
                self._remove(item.root, item.key, value)
                self._skipped.pop((item.root, item.key), None)
                moved += 1
        return moved

    def _remove(self, root: str, key: str, value: Any) -> None:
        if doc_values.photo_id_problem(key) is None and root == "photos":
            record, _ = doc_values.photo_record(value)
            if record is not None and (record["auto"] or record["faces"]):
                self._photos[key] = _text(record)
                return
        if doc_values.photo_id_problem(key) is None and root == "auto.cloud":
            cloud, _ = doc_values.cloud_record(value)
            if cloud is not None and cloud["tags"]:
                self._cloud[key] = _text(cloud)
                return
        del self._roots()[root][key]
        if root == "user":
            self._index_user(key, present=False)
        elif root == "rejected":
            self._index_rejected(key, present=False)
        elif root == "people":
            self._people_cache = None


def _text(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _kept(item: Malformed, value: Any) -> str:
    kept = {"root": item.root, "key": item.key, "value": doc_values.plain(value)}
    return json.dumps({**kept, "problem": item.problem}, default=repr, ensure_ascii=False)


def problems(root: str, key: str, value: Any) -> list[str]:
    """What is wrong with `value` under `key` of the root Map `root` (one of ROOTS), in words;
    none if every read takes it. A nested shared type is given as itself (a pycrdt Map)."""
    if root in ("photos", "auto.cloud"):
        key_problem = doc_values.photo_id_problem(key)
        if key_problem:
            return [key_problem]
        if root == "photos":
            return doc_values.photo_record(value)[1]
        return _one(doc_values.cloud_record(value)[1])
    if root == "user":
        return _one(doc_values.user_tag(key, value)[1])
    if root == "marks":
        return _one(mark(key, value)[1])
    if root == "rotation":
        key_problem = doc_values.photo_id_problem(key)
        return [key_problem] if key_problem else _one(doc_values.rotation(value)[1])
    if root == "user_faces":
        return _one(doc_values.user_face(key, value)[1])
    if root in ("face_person", "confirmed"):
        if doc_values.face_key(key) is None:
            return ["it is not a photo and a face number"]
        read = doc_values.suggestion if root == "face_person" else doc_values.confirmation
        return _one(read(value)[1])
    if root == "rejected":
        parts = key.split(SEP, 2)
        ok = len(parts) == 3 and doc_values.face_key(SEP.join(parts[:2])) and parts[2]
        return [] if ok else ["it is not a photo, a face number and a person"]
    return _one(doc_values.person(value, isinstance(value, Map))[1])


def _one(problem: str | None) -> list[str]:
    return [problem] if problem else []
