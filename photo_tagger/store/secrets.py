"""The file a library keeps its secrets in (the sync token, the cloud model's token) where the
system keyring is not used (keyring_secrets.py): in the library's folder, readable by the user
alone (mode 0600), never in its databases, which backups, sync tools and other programs read.

Libraries written before kept them in document.sqlite3's settings; opening such a library moves
them out (log_file.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from photo_tagger.errors import LibraryError

SECRETS_FILE = "secrets.json"
SECRET_KEYS = frozenset({"sync.token", "escalation.token"})
MAX_BYTES = 64 * 1024  # a handful of tokens; anything larger is not ours


class SecretFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, str]:
        """What the file holds; an unreadable or malformed file holds nothing (the user is then
        asked for the token again, as for a new library)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return {}
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        try:
            values = json.loads(data) if len(data) <= MAX_BYTES else None
        except ValueError:
            return {}
        if not isinstance(values, dict):
            return {}
        return {k: v for k, v in values.items() if k in SECRET_KEYS and isinstance(v, str)}

    def get(self, key: str) -> str | None:
        return self.read().get(key)

    def update(self, values: Mapping[str, str | None]) -> None:
        """Set (or, with None, remove) secrets, replacing the file atomically, readable by the
        user alone; a file left with none is removed."""
        current = self.read()
        for key, value in values.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        if not current:
            self._remove()
            return
        temporary = self.path.with_name(self.path.name + ".new")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(temporary, flags, 0o600)
            os.chmod(temporary, 0o600)  # whatever the umask or a file left before said
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(current, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            raise self._unsaved(exc) from exc

    def _remove(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise self._unsaved(exc) from exc

    def _unsaved(self, exc: OSError) -> LibraryError:
        return LibraryError(
            f"Could not save the library's tokens in {self.path} ({exc.strerror}): check that "
            "the library folder can be written."
        )
