"""One photo's sidecar: where it is, and writing it (merged, atomically) without losing anyone's
edits."""

from __future__ import annotations

import errno
import os
import secrets
import xml.etree.ElementTree as ET
from pathlib import Path

from photo_tagger import __version__
from photo_tagger.errors import MetadataError, SidecarWriteError
from photo_tagger.metadata.embedded import geometry_of
from photo_tagger.metadata.merge import merge, wanted
from photo_tagger.metadata.model import PhotoMetadata, SidecarNaming
from photo_tagger.metadata.packet import INDENT, new_packet, parse, serialize

# Another application may rewrite the sidecar while we merge; we merge again from its new content.
ATTEMPTS = 3


def sidecar_path(photo_path: Path, naming: SidecarNaming = "jpg.xmp") -> Path:
    """IMG_0001.jpg -> IMG_0001.jpg.xmp ("jpg.xmp") or IMG_0001.xmp ("xmp")."""
    photo_path = Path(photo_path)
    if naming == "xmp":
        return photo_path.with_suffix(".xmp")
    if naming == "jpg.xmp":
        return photo_path.with_name(photo_path.name + ".xmp")
    raise ValueError(f"unknown sidecar naming {naming!r} (known: jpg.xmp, xmp)")


def sidecar_candidates(photo_path: Path) -> list[Path]:
    """Every sidecar another application may have left for this photo, in the order read."""
    photo_path = Path(photo_path)
    names = [
        photo_path.name + ".xmp",
        photo_path.name + ".XMP",
        photo_path.stem + ".xmp",
        photo_path.stem + ".XMP",
    ]
    seen: list[Path] = []
    for name in dict.fromkeys(names):
        path = photo_path.with_name(name)
        if path.is_file() and not any(_same_file(path, s) for s in seen):
            seen.append(path)
    return seen


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # case-insensitive file systems see .xmp and .XMP as one
    except OSError:
        return False


def write_sidecar(
    photo_path: Path, metadata: PhotoMetadata, naming: SidecarNaming = "jpg.xmp"
) -> bool:
    """Merge `metadata` into the photo's sidecar. Returns False when the sidecar already said all
    of it (nothing is written then), True when it was written.

    Raises MetadataError: the photo is gone, the existing sidecar is not XMP we can read (it is
    never overwritten then), the sidecar is a symbolic link (never written through), or the
    folder or the sidecar cannot be written.
    """
    photo_path = Path(photo_path)
    if not photo_path.is_file():
        raise MetadataError(f"{photo_path}: the photo is not there any more; rescan its folder.")
    orientation = metadata.orientation
    if orientation is None:
        geometry = geometry_of(photo_path) if metadata.faces else None
        orientation = geometry.orientation if geometry else 1
    want = wanted(metadata, orientation)
    target = sidecar_path(photo_path, naming)
    if target.is_symlink():  # it could point anywhere, even where no photo's sidecar belongs
        raise SidecarWriteError(
            f"Cannot write {target}: it is a symbolic link (to {os.readlink(target)}), and "
            "photo-tagger never writes a sidecar through a link. Replace the link with the file "
            "it points to, or remove it, to export to it."
        )
    for _ in range(ATTEMPTS):
        existing = _read(target)
        if existing is None or not existing.strip():
            if want.empty:
                return False
            packet = new_packet(f"photo-tagger {__version__}")
            merge(packet, want)
            ET.indent(packet.root, space=INDENT)
            data = serialize(packet)
        else:
            packet = parse(existing, str(target))
            before = serialize(packet)
            merge(packet, want)
            data = serialize(packet)
            if data == before:
                return False
        if _replace(target, data, expected=existing):
            return True
    raise MetadataError(
        f"{target} kept changing while it was being written (another application is writing it); "
        "try again when it is done."
    )


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MetadataError(f"Cannot read {path} ({exc.strerror}); it was left as it is.") from exc


def _replace(target: Path, data: bytes, expected: bytes | None) -> bool:
    """Write `data` to `target` atomically (temporary file in the same folder, fsync, rename).
    Returns False, writing nothing, if `target` no longer holds `expected`."""
    if expected is not None and not os.access(target, os.W_OK):
        raise SidecarWriteError(
            f"Cannot write {target}: the sidecar is read-only. Make it writable to export to it."
        )
    folder = target.parent
    temp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        # 0o666 less the umask, like any new file; an existing sidecar keeps its own mode.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _write_error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if expected is not None:
            os.chmod(temp, os.stat(target).st_mode & 0o7777)
        if _read(target) != expected:
            os.unlink(temp)
            return False
        os.replace(temp, target)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from exc
        raise
    _fsync_folder(folder)
    return True


def _write_error(target: Path, exc: OSError) -> MetadataError:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SidecarWriteError(
            f"Cannot write {target}: its folder is read-only ({exc.strerror}). Make the folder "
            "writable, or keep this photo's tags in the library only."
        )
    if exc.errno == errno.ENOSPC:
        return SidecarWriteError(f"Cannot write {target}: the disk is full.")
    return SidecarWriteError(f"Cannot write {target} ({exc.strerror or exc}).")


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where folders cannot be opened, this is a no-op."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
