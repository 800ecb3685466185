"""Model updates without an app release: signed releases from a server, installed per library.

A release is a set of files (the models the app runs, the tag vocabulary, the class names) and a
manifest that lists each file's sha256 and size, the release number and the oldest app version it
works with. The manifest's exact bytes are signed with Ed25519; the app trusts the public keys
shipped in `resources/keys/` and those added to the library (`photo-tagger models trust`).

On the server (`photo-tagger server publish-models`, model_release.py) a release lives in
`DATA/models/`: `manifest.json`, `manifest.json.sig` and `files/<name>`.

In a library, releases in use live in `LIBRARY/models/releases/<n>/` (a folder the app can load
like the shipped `models/`), and `LIBRARY/models/state.json` says which one is current and which
was before. An update never switches models by itself: it downloads into a scratch folder, checks
every size and hash, loads the models once, and keeps the release as the library's candidate in
`LIBRARY/models/candidate/`, beside the models in use, which stay exactly as they were. The user
then tries it on their own photos (app/shadow.py) and accepts it (`accept`: it becomes the
current release) or rejects it (`reject`: it is deleted, and that release is not downloaded again
unless asked). A bad signature, a wrong hash or a truncated download is refused and leaves no
candidate. `state.json` (written atomically) also keeps the newest release ever accepted: a
rollback is the user's choice, but an update never offers a release older than that one. A
candidate counts only once accepted: a release the user rejected, or never decided on, replaced
nothing on this library, so it must not keep out an older release that the server offers later.
Every file a manifest names is a plain name inside the release folder
(model_release.read_release_manifest), or the release is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from photo_tagger import __version__
from photo_tagger.cloud.model_release import (
    MANIFEST,
    REGISTRY_PATH,
    SIGNATURE,
    ReleaseManifest,
    read_release_manifest,
)
from photo_tagger.cloud.signing import verify
from photo_tagger.errors import ModelError, ModelUpdateError
from photo_tagger.store.http_limits import (
    AnswerLimitError,
    Exchange,
    HttpLimits,
    Reply,
    open_exchange,
)
from photo_tagger.vision.model import default_models_dir
from photo_tagger.words import http_reason, reason

MAX_MANIFEST = 1 << 20  # bytes: the manifest and its signature are a few KB
DEADLINE = 1800.0  # seconds for one download: a 100 MB model at ~0.5 Mbit/s
CANDIDATE = "candidate"  # LIBRARY/models/candidate/: a release waiting for the user's decision

# What an update found (UpdateResult.outcome)
NEW = "new"  # a newer release, downloaded and checked: the candidate now, not in use
WAITING = "waiting"  # the candidate downloaded before still waits for the user's decision
UP_TO_DATE = "up to date"  # nothing newer than the release in use
REJECTED = "rejected"  # the server's release is one the user rejected
NOTHING_WAITING = (
    "No new models are waiting for your decision: `photo-tagger models update` looks for them."
)


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


# --- installing (the app side) ---------------------------------------------------------------


@dataclass(frozen=True)
class UpdateResult:
    release: int  # the server's release; for WAITING, the candidate's
    outcome: str  # NEW, WAITING, UP_TO_DATE or REJECTED
    downloaded_bytes: int = 0

    @property
    def waiting(self) -> bool:
        """A candidate waits for the user's decision."""
        return self.outcome in (NEW, WAITING)


class ModelUpdater:
    """Downloads model releases as candidates, switches to one when the user accepts it, and
    rolls back, in one library."""

    def __init__(
        self,
        library_path: Path,
        trusted: list[Ed25519PublicKey] | None = None,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        *,
        max_manifest: int = MAX_MANIFEST,
        deadline: float = DEADLINE,
    ) -> None:
        self.root = Path(library_path) / "models"
        self.trusted = trusted or []
        self.session = session or requests.Session()
        self.timeout = timeout
        self.max_manifest, self.deadline = max_manifest, deadline  # of each download

    # state

    def _state(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.root / "state.json").read_text()))
        except FileNotFoundError:
            return {"current": None, "previous": None, "candidate": None}
        except (OSError, ValueError) as exc:
            why = reason(exc, "it is damaged")
            raise ModelError(
                f"{self.root / 'state.json'} cannot be read: {why}. Check for Model Updates "
                "again to put it right."
            ) from None

    def _write_state(self, state: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"state.json.{os.getpid()}.tmp"
        with open(tmp, "w") as fh:
            json.dump(state, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / "state.json")

    def current_release(self) -> int | None:
        current = self._state()["current"]
        return int(current) if current is not None else None

    def candidate_release(self) -> int | None:
        """The release downloaded and waiting for the user's decision, if any."""
        candidate = self._state().get("candidate")
        if candidate is None or not (self.root / CANDIDATE / MANIFEST).exists():
            return None
        return int(candidate)

    def candidate_dir(self) -> Path | None:
        """The candidate's models (a folder `Models.load` loads), or None."""
        return self.root / CANDIDATE if self.candidate_release() is not None else None

    def highest_release(self) -> int | None:
        """The newest release this library ever used: an update never goes below it, even after a
        rollback (a server, or someone between it and us, replaying an older signed release
        cannot bring back models that a newer release replaced). A candidate is not counted."""
        state = self._state()
        seen = [state.get("highest"), state.get("current"), state.get("previous")]
        releases = self.root / "releases"
        if releases.is_dir():
            seen += [int(f.name) for f in releases.iterdir() if f.name.isdigit()]
        numbers = [int(n) for n in seen if isinstance(n, int) and not isinstance(n, bool)]
        return max(numbers, default=None)

    def active_dir(self) -> Path:
        """The models the library uses now: `PHOTO_TAGGER_MODELS` if set, else the library's
        current release, else the models shipped with the app."""
        if os.environ.get("PHOTO_TAGGER_MODELS"):
            return default_models_dir()
        current = self.current_release()
        if current is not None:
            folder = self.root / "releases" / str(current)
            if (folder / MANIFEST).exists():
                return folder
        return default_models_dir()

    # update

    @contextmanager
    def _fetch(self, url: str, token: str, max_bytes: int) -> Iterator[Exchange]:
        """A GET whose answer is read within `max_bytes` and the deadline."""
        limits = HttpLimits(max_bytes, self.deadline, self.timeout, self.timeout)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with open_exchange(self.session, "GET", url, limits, headers=headers) as answer:
                if answer.status_code in (401, 403):
                    raise ModelUpdateError("The model server refused the token.")
                if answer.status_code != 200:
                    raise ModelUpdateError(
                        f"The model server could not give {url}: "
                        f"{http_reason(answer.status_code)}. Nothing was installed; try again "
                        "later or tell the server's administrator."
                    )
                yield answer
        except requests.RequestException as exc:
            raise ModelUpdateError(
                f"The model server cannot be reached: {reason(exc)}. Nothing was installed; "
                "check the sync server's address in Settings › Sync and try again later."
            ) from exc
        except AnswerLimitError as exc:
            raise ModelUpdateError(
                f"The model update was refused: {exc}. Nothing was installed; try again later "
                "or tell the model server's administrator."
            ) from None

    def _get(self, url: str, token: str) -> Reply:
        with self._fetch(url, token, self.max_manifest) as answer:
            return answer.read()

    def update(self, server: str, token: str, again: bool = False) -> UpdateResult:
        """Download the server's release, when it is newer than the one in use, as the library's
        candidate: checked, loaded once, and kept beside the models in use, which stay as they
        are until the user accepts it. A release the user rejected is downloaded again only
        `again`; a newer release replaces a candidate still waiting."""
        base = server.rstrip("/") + REGISTRY_PATH
        manifest = self._signed_manifest(base, token)
        release = manifest.release
        current, waiting = self.current_release(), self.candidate_release()
        if current is not None and release <= current:
            return UpdateResult(waiting, WAITING) if waiting else UpdateResult(release, UP_TO_DATE)
        highest = self.highest_release()
        if highest is not None and release < highest:
            raise ModelUpdateError(
                f"The model server offers release {release}, older than release {highest} that "
                "this library has already used: refused (an update never goes back to an older "
                "release; `photo-tagger models rollback` does, when you ask)."
            )
        state = self._state()
        if waiting is not None and release <= waiting:
            return UpdateResult(waiting, WAITING)
        rejected = rejected_releases(state)
        if release in rejected and not again:
            return UpdateResult(release, REJECTED)
        downloaded = self._install(base, token, manifest, self.root / CANDIDATE)
        rejected.discard(release)
        self._write_state({**state, "candidate": release, "rejected": sorted(rejected)})
        return UpdateResult(release, NEW, downloaded)

    def _signed_manifest(self, base: str, token: str) -> ReleaseManifest:
        """The server's release manifest, signed by a trusted key and fit for this app."""
        data = self._get(f"{base}/{MANIFEST}", token).content
        signature = self._get(f"{base}/{SIGNATURE}", token).text
        if not verify(self.trusted, data, signature):
            raise ModelUpdateError(
                "The model release's signature does not match any trusted key: refused. "
                "(`photo-tagger models trust KEY.pub` adds your server's key.)"
            )
        try:
            manifest = read_release_manifest(data)
        except (ValueError, TypeError) as exc:
            raise ModelUpdateError(
                f"The model release's manifest is malformed ({exc}): refused. Ask the "
                "server's administrator to publish it again."
            ) from None
        if version_tuple(manifest.min_app_version) > version_tuple(__version__):
            raise ModelUpdateError(
                f"Model release {manifest.release} needs photo-tagger {manifest.min_app_version} "
                f"or newer (this is {__version__}): update the app first."
            )
        return manifest

    def _install(self, base: str, token: str, manifest: ReleaseManifest, final: Path) -> int:
        """Download, check and load the release into `final`, all or nothing; bytes downloaded."""
        scratch = final.with_name(final.name + ".partial")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        try:
            downloaded = 0
            for name, (size, sha256) in manifest.files.items():
                meta = {"bytes": size, "sha256": sha256}
                downloaded += self._download(f"{base}/files/{name}", token, scratch / name, meta)
            body = {"release": manifest.release, "models": manifest.models}
            (scratch / MANIFEST).write_text(json.dumps(body, indent=1) + "\n")
            self._check_loads(scratch)
            shutil.rmtree(final, ignore_errors=True)
            os.replace(scratch, final)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return downloaded

    def accept(self) -> int:
        """The user accepts the candidate: it is the current release from now on, the one used
        before it the previous (for a rollback), and the newest release this library used."""
        state = self._state()
        release = state.get("candidate")
        if release is None:
            raise ModelUpdateError(NOTHING_WAITING)
        folder, final = self.root / CANDIDATE, self.root / "releases" / str(release)
        if (folder / MANIFEST).exists():
            shutil.rmtree(final, ignore_errors=True)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder, final)
        elif not (final / MANIFEST).exists():  # (there: moved, and then interrupted)
            self._write_state({**state, "candidate": None})
            raise ModelUpdateError(
                f"The files of model release {release} are gone from {folder}: nothing changed. "
                "`photo-tagger models update` downloads it again."
            )
        current = state["current"]
        highest = max(release, self.highest_release() or 0)
        state.update(current=release, previous=current, highest=highest, candidate=None)
        self._write_state(state)
        self._prune(keep={release, current})
        return int(release)

    def reject(self) -> int:
        """The user rejects the candidate: it is deleted, the models in use stay, and an update
        does not download that release again unless asked to."""
        state = self._state()
        release = state.get("candidate")
        if release is None:
            raise ModelUpdateError(NOTHING_WAITING)
        rejected = sorted(rejected_releases(state) | {int(release)})
        self._write_state({**state, "candidate": None, "rejected": rejected})
        shutil.rmtree(self.root / CANDIDATE, ignore_errors=True)
        return int(release)

    def _download(self, url: str, token: str, dest: Path, meta: dict[str, Any]) -> int:
        expected_size, expected_sha = int(meta["bytes"]), str(meta["sha256"])
        h = hashlib.sha256()
        size = 0
        with self._fetch(url, token, expected_size) as answer, open(dest, "wb") as out:
            try:
                for chunk in answer.chunks():
                    size += len(chunk)
                    h.update(chunk)
                    out.write(chunk)
            except AnswerLimitError as exc:
                raise ModelUpdateError(
                    f"The download of {dest.name} was refused: {exc} (the release says "
                    f"{expected_size} bytes). Nothing was installed; try again later."
                ) from None
            except requests.RequestException as exc:
                raise ModelUpdateError(
                    f"The download of {dest.name} broke off: {reason(exc)}. Nothing was "
                    "installed; try again later."
                ) from exc
            out.flush()
            os.fsync(out.fileno())
        if size != expected_size:
            raise ModelUpdateError(
                f"{dest.name} arrived truncated ({size} of {expected_size} bytes): refused."
            )
        if h.hexdigest() != expected_sha:
            raise ModelUpdateError(f"{dest.name} does not match its sha256: refused.")
        return size

    def _check_loads(self, folder: Path) -> None:
        """Build every session once, so a release that cannot run is never switched to."""
        from photo_tagger.vision.pipeline import Models

        try:
            Models.load(folder)
        except ModelError as exc:
            raise ModelUpdateError(f"The new models do not load: {exc}") from None

    def rollback(self) -> int | None:
        """Go back to the release used before the current one (None: the shipped models)."""
        state = self._state()
        if state["current"] is None:
            raise ModelUpdateError("The library already uses the models shipped with the app.")
        previous = state["previous"]
        if previous is not None and not (self.root / "releases" / str(previous)).exists():
            previous = None
        highest = self.highest_release()
        self._write_state({**state, "current": previous, "previous": None, "highest": highest})
        return previous

    def _prune(self, keep: set[int | None]) -> None:
        releases = self.root / "releases"
        for folder in releases.iterdir():
            if folder.is_dir() and folder.name.isdigit() and int(folder.name) not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def rejected_releases(state: dict[str, Any]) -> set[int]:
    """The releases the user rejected (an update does not download them again unless asked)."""
    listed = state.get("rejected")
    return {r for r in listed if isinstance(r, int)} if isinstance(listed, list) else set()


def active_models_dir(library_path: Path) -> Path:
    """The models a library uses now (see ModelUpdater.active_dir)."""
    return ModelUpdater(library_path).active_dir()
