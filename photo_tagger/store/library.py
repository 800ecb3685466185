"""A library: one folder holding the shared document's log, the local index and thumbnails.

<library>/document.sqlite3   the shared document: snapshot + update log (persistence.py)
<library>/index.sqlite3      local facts: files, photos, faces, what photos carry (index.py)
<library>/thumbs/            thumbnails, named in the index relative to the library folder

Which client id this computer writes the document under is kept outside the folder, in this
user's state folder (client_ids.py), so that a copy or a restored backup of the folder never goes
on under an id whose edits went further elsewhere.

A photo's tags as everyone reads them (`auto_tags`, `effective_tags`) join the two: what the
models said and the user set, from the shared document, and what the photo itself says (its place,
date, event: source "photo"), from the index. The latter are worked out from each computer's own
files (app/context.py), so they are never synced: every device derives the same tags from the
same photo, and 100,000 photos' worth would cost the document ~30 MB and a third more time to
open. What the user says about them (a removed suggestion) is a user tag, synced as any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from photo_tagger.errors import LibraryError
from photo_tagger.store import rules
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.index import LocalIndex
from photo_tagger.store.log_file import LoadReport
from photo_tagger.store.marks import Marks
from photo_tagger.store.paths import DOCUMENT_FILE, INDEX_FILE, THUMBS_DIR
from photo_tagger.store.persistence import DocumentLog
from photo_tagger.store.sqlite import ClosedAtExit

CONTEXT_MODEL = "context@1"  # the "photo" source's model: the rules of photo_tagger.context


def context_scores(text: str | None) -> dict[str, float]:
    """A photo's context tags as the index keeps them (JSON text, LocalIndex.context()): tag ->
    score, 1.0 for a fact, less for a guess or a suggestion."""
    return dict(json.loads(text)) if text else {}


def with_context(
    context: dict[str, float], auto: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """A photo's auto tags from every source: its context tags (context_scores), then the
    models' (the document's auto_tags()), which win for a tag they share."""
    tags = {
        t: {"score": float(score), "source": rules.PHOTO, "model": CONTEXT_MODEL}
        for t, score in context.items()
    }
    tags.update(auto)
    return tags


class Library(ClosedAtExit):
    """Open with `Library.open(path)` (or `with Library.open(path) as library:`)."""

    def __init__(self, path: Path, log: DocumentLog, document: LibraryDocument, index: LocalIndex):
        # Told, when the library closes, of the malformed values of the shared document that
        # were skipped while it was open (`document.skipped()`, in words), if there were any.
        self.report_skipped: Callable[[list[str]], object] | None = None
        self.path = path
        self.log = log  # for a sync client: apply_remote(), updates_since(), refresh()
        self.document = document
        self.index = index
        self._closed = False

    @classmethod
    def open(cls, path: Path) -> Library:
        """Open the library in `path`, creating the folder and its files if they are missing."""
        path = Path(path).expanduser().absolute()
        try:
            (path / THUMBS_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(
                f"Cannot create the library folder {path} ({exc.strerror}). "
                "Choose another folder with --library or $PHOTO_TAGGER_LIBRARY."
            ) from exc
        log = DocumentLog.open(path / DOCUMENT_FILE)
        try:
            index = LocalIndex.open(path / INDEX_FILE)
        except BaseException:
            log.close(compact=False)
            raise
        document = LibraryDocument(log.doc, after_commit=log.maybe_compact)
        return cls(path, log, document, index)

    # --- a photo's tags, from the document and the index -----------------------------------------

    def context_tags(self, photo_id: str) -> dict[str, float]:
        """What the photo itself says (its place, date, event): tag -> score, 1.0 for a fact,
        less for a guess or a suggestion."""
        return context_scores(self.index.context(photo_id))

    def auto_tags(self, photo_id: str) -> dict[str, dict[str, Any]]:
        """tag -> {"score", "source", "model"} from every source: the photo, the local models,
        the cloud model (later ones win for a tag they share)."""
        return with_context(self.context_tags(photo_id), self.document.auto_tags(photo_id))

    def user_tags(self, photo_id: str) -> dict[str, bool]:
        return self.document.user_tags(photo_id)

    def effective_tags(self, photo_id: str, threshold: Callable[[str], float]) -> dict[str, float]:
        """The photo's tags as the user sees them: tag -> score (1.0 for tags the user added)."""
        return rules.effective_tags(self.auto_tags(photo_id), self.user_tags(photo_id), threshold)

    def faces(self, photo_id: str) -> tuple[str | None, list[dict[str, Any]]]:
        return self.document.faces(photo_id)

    def face_person(self, photo_id: str, face: int) -> tuple[str, bool] | None:
        return self.document.face_person(photo_id, face)

    def marks(self, photo_id: str) -> Marks:
        return self.document.marks(photo_id)

    def user_faces(self, photo_id: str) -> dict[int, list[float]]:
        return self.document.user_faces(photo_id)

    def object_labels(self, photo_id: str) -> tuple[str, ...]:
        """The class names of the objects found in the photo ("person", "dining table"), best
        first; kept on this computer (the index)."""
        return self.index.object_labels(photo_id).get(photo_id, ())

    @property
    def thumbs_dir(self) -> Path:
        return self.path / THUMBS_DIR

    @property
    def load_report(self) -> LoadReport:
        """What opening found; `load_report.messages()` lists history that could not be read."""
        return self.log.report

    def close(self, compact: bool = True) -> None:
        """Let go of the files; `compact` folds a sizeable log tail into a snapshot first."""
        if self._closed:
            return
        self._closed = True
        skipped = self.document.skipped()
        try:
            if skipped and self.report_skipped is not None:
                self.report_skipped(skipped)
            self.document.close()
            self.log.close(compact=compact)
        finally:
            self.index.close()
