"""Where a library's tokens are kept: the system keyring (macOS Keychain, Windows Credential
Locker, the Secret Service or KWallet on Linux, through the `keyring` package) where there is
one, else the library's own secrets file (secrets.py, mode 0600).

In the keyring each token is an entry of the service "photo-tagger" whose user name is the
library's keyring id and the setting's name ("3f2a…:sync.token"). The id is a random one, made the
first time a token goes into the keyring and kept in the library's document.sqlite3 (its
settings, which are never synced): it moves with the folder, so a library that is moved or
renamed still finds its tokens, and two libraries never share one (but a copy of a folder shares
its original's, as a copy of its secrets file would).

The file wins: a token found in it is newer than the keyring's (a keyring that failed, or one
turned off, left it there), and an empty one there means "removed" while the keyring may still
hold the old one. Opening the library moves what the file holds into the keyring, each token
removed from the file only once the keyring gives it back. A keyring that fails (locked, D-Bus
gone, a refusal) is not asked again for the same (a read, a write) while the library is open;
the file keeps what it would not take, so no token is ever lost and the user sees a sentence,
never a traceback.

PHOTO_TAGGER_KEYRING=off keeps the tokens in the file alone (a library carried between
computers on a removable disk takes its tokens with it). The keyrings of the `keyrings.alt`
package are files too (one of them plain text), not the system's: they are used only with
PHOTO_TAGGER_KEYRING=any.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from photo_tagger.errors import LibraryError
from photo_tagger.store.secrets import MAX_BYTES, SecretFile
from photo_tagger.words import details
from photo_tagger.words import reason as words_for

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

KEYRING_ENV = "PHOTO_TAGGER_KEYRING"
SERVICE = "photo-tagger"
OFF = frozenset({"off", "0", "no", "false", "file"})
ANY = "any"  # file keyrings (keyrings.alt) count as a keyring too

# The library's keyring id, or None when it has none: made when `create` is true.
KeyringId = Callable[[bool], "str | None"]


def keyring_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(KEYRING_ENV, "").strip().lower() not in OFF


def system_keyring() -> KeyringBackend | None:
    """The keyring backend `keyring` chose (or was told to use), if it is one that keeps
    passwords: none where it found no backend (headless Linux, CI) or was told to keep none."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring):
            return None
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return None
        if type(backend).__module__.startswith("keyrings.alt") and (
            os.environ.get(KEYRING_ENV, "").strip().lower() != ANY
        ):
            return None  # a file beside the user's others, no safer than the library's own
    except Exception as exc:  # a backend that breaks while loading: as if there were none
        log.warning("The system keyring could not be loaded (%s); tokens stay in the file.", exc)
        return None
    return backend


class LibrarySecrets:
    """The library's tokens: `get`, `update`, and `move_into_keyring` when the library opens."""

    def __init__(self, file: SecretFile, keyring_id: KeyringId, use_keyring: bool) -> None:
        self.file = file
        self._keyring_id = keyring_id
        self._use_keyring = use_keyring
        self._backend: KeyringBackend | None = None
        self._looked = False
        self._failing: set[str] = set()  # "read", "write": what the keyring failed at
        self.problem: str | None = None  # why the keyring was not used, in words

    def get(self, key: str) -> str | None:
        stored = self.file.read()
        if key in stored:
            return stored[key] or None
        backend = self._keyring("read")
        library = self._id(create=False) if backend is not None else None
        if backend is None or library is None:
            return None
        try:
            value = backend.get_password(SERVICE, f"{library}:{key}")
        except Exception as exc:  # see _failed
            self._failed("read", exc)
            return None
        if not isinstance(value, str) or not value or len(value) > MAX_BYTES:
            return None
        return value

    def update(self, values: Mapping[str, str | None]) -> None:
        """Set (or, with None, remove) tokens: into the keyring if it takes them, else into the
        file. Raises LibraryError only when the file, needed, cannot be written."""
        backend = self._keyring("write")
        library = self._id(create=backend is not None and any(values.values()))
        if library is None:
            self.file.update(values)  # no keyring was ever used for the library: the file alone
            return
        stored = self.file.read()
        to_file: dict[str, str | None] = {}
        for key, value in values.items():
            if self._put(library, key, value):
                if key in stored:
                    to_file[key] = None
            else:  # the file keeps it; a removal is marked, as the keyring may hold it still
                to_file[key] = "" if value is None else value
        if to_file:
            self.file.update(to_file)

    def move_into_keyring(self) -> None:
        """Tokens the file holds (from before the keyring was used, or while it failed) move
        into it, each removed from the file once the keyring gives it back."""
        stored = self.file.read()
        if not stored or self._keyring("write") is None:
            return
        library = self._id(create=any(stored.values()))
        if library is None:  # nothing was ever put in a keyring: removal marks are moot
            if not any(stored.values()):
                self.file.update(dict.fromkeys(stored))
            return
        moved = [key for key, value in stored.items() if self._put(library, key, value or None)]
        if moved:
            self.file.update(dict.fromkeys(moved))

    # --- the keyring ---------------------------------------------------------------------------

    def _keyring(self, use: str) -> KeyringBackend | None:
        if not self._use_keyring or use in self._failing:
            return None
        if not self._looked:
            self._backend, self._looked = system_keyring(), True
        return self._backend

    def _id(self, create: bool) -> str | None:
        try:
            return self._keyring_id(create)
        except LibraryError as exc:  # a database that cannot be written: the file, then
            if create:
                self._failed("write", exc)
            return None

    def _put(self, library: str, key: str, value: str | None) -> bool:
        """Whether the keyring now holds `value` for `key` (nothing, for None)."""
        backend, user = self._keyring("write"), f"{library}:{key}"
        if backend is None:
            return False
        try:
            if value is not None:
                backend.set_password(SERVICE, user, value)
            elif backend.get_password(SERVICE, user) is not None:
                backend.delete_password(SERVICE, user)
            else:
                return True
            held = backend.get_password(SERVICE, user)
        except Exception as exc:  # see _failed
            self._failed("write", exc)
            return False
        if held != value:
            self._failed("write", "it did not give back what was stored")
            return False
        return True

    def _failed(self, use: str, why: object) -> None:
        """The keyring raised (locked, its service gone, a refusal: each backend has errors of
        its own, hence any exception) or answered wrongly: it is not asked for the same again
        until the library is opened again (the file is used), and the user is told once."""
        self._failing.add(use)
        if self.problem is not None:
            return
        if isinstance(why, BaseException):  # the backend's own text goes to the log only
            log.warning("the system keyring failed to %s:\n%s", use, details(why))
            reason = words_for(why, "it is locked or refused")
        else:
            reason = str(why)
        if use == "read":
            self.problem = (
                f"The system keyring could not be read ({reason}): the library's tokens kept "
                "there cannot be used now. Unlock the keyring and open the library again, or "
                "give the tokens again."
            )
        else:
            self.problem = (
                f"The system keyring could not be used ({reason}). The library's tokens are "
                f"kept in {self.file.path}, readable by you alone, and move into the keyring "
                "when the library is opened with the keyring working."
            )
        log.warning("%s", self.problem)
