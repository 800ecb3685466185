"""A library: one folder holding the shared document's log, the local index and thumbnails.

<library>/document.sqlite3   the shared document: snapshot + update log (persistence.py)
<library>/index.sqlite3      local facts: files, photos, face embeddings (index.py)
<library>/thumbs/            thumbnails, named in the index relative to the library folder
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from photo_tagger.errors import LibraryError
from photo_tagger.store.document import LibraryDocument
from photo_tagger.store.index import LocalIndex
from photo_tagger.store.persistence import DocumentLog, LoadReport

DOCUMENT_FILE = "document.sqlite3"
INDEX_FILE = "index.sqlite3"
THUMBS_DIR = "thumbs"


class Library:
    """Open with `Library.open(path)` (or `with Library.open(path) as library:`)."""

    def __init__(self, path: Path, log: DocumentLog, document: LibraryDocument, index: LocalIndex):
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
        try:
            self.document.close()
            self.log.close(compact=compact)
        finally:
            self.index.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
