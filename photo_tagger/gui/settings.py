"""Every setting of the window, declared and typed in one place, kept with QSettings.

Per-user settings (window geometry, the last library, tag thresholds) live under their key; what
belongs to one library on this computer (its watched folders) lives under `libraries/<key>/`, the
key derived from the library's path. Settings are versioned: `UPGRADES[n]` turns version n + 1
into n + 2, so an old settings file is carried forward, never reset.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T
    help: str


GEOMETRY = Option("window/geometry", b"", "the main window's size and place")
WINDOW_STATE = Option("window/state", b"", "docks and toolbars")
LIBRARY = Option("library/path", "", "the library opened last (empty: the platform default)")
THUMBNAIL_SIZE = Option("view/thumbnail_size", 160, "thumbnail cell size in the grid, in points")
SORT_ORDER = Option(
    "view/sort_order",
    "taken-newest",
    "the grid's order (app/photo_order.py ORDERS): View › Sort By",
)
FOLDERS_NESTED = Option(
    "view/folders_nested", True, "picking a folder shows the photos in its subfolders too"
)
THRESHOLD_SCALE = Option(
    "tags/threshold_scale",
    1.0,
    "each model tag's own threshold times this: under 1 shows more tags, over 1 fewer",
)
LOW_CONFIDENCE = Option(
    "tags/low_confidence",
    0.5,
    "a photo is 'low confidence' when no model tag scores at least this",
)
XMP_KEEP = Option(
    "xmp/keep_up_to_date",
    False,
    "after each edit, merge the edited photos' tags and named faces into their XMP sidecars",
)
XMP_NAMING = Option(
    "xmp/naming", "jpg.xmp", "sidecar names: IMG_0001.jpg.xmp ('jpg.xmp') or IMG_0001.xmp ('xmp')"
)
XMP_MODEL_TAGS = Option(
    "xmp/include_model_tags",
    False,
    "sidecars also carry the model's tags over their threshold, not only the user's and names",
)
# The sync server and the cloud model are settings of a library on this computer, kept in the
# library's own settings (photo_tagger.store.sync, photo_tagger.cloud.escalation), not here.


def _drop_placeholders(q: QSettings) -> None:
    """Version 1 kept empty places for the sync server and the cloud model, which never held
    anything the user set (their fields were disabled); they now live in each library."""
    for key in ("sync/server", "cloud/enabled", "cloud/endpoint"):
        q.remove(key)


VERSION_KEY = "settings/version"
UPGRADES: list[Callable[[QSettings], None]] = [_drop_placeholders]  # [n]: version n+1 -> n+2
VERSION = len(UPGRADES) + 1


def library_key(library: Path) -> str:
    """A QSettings group name for a library folder (its absolute path, hashed)."""
    text = str(Path(library).expanduser().absolute())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Settings:
    """Typed reads and writes over a QSettings. Build with `Settings.at(path)` (an INI file,
    tests) or `Settings.user()` (the platform's place for per-user settings)."""

    def __init__(self, qsettings: QSettings) -> None:
        self._q = qsettings
        self._upgrade()

    @classmethod
    def at(cls, path: Path) -> Settings:
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @classmethod
    def user(cls) -> Settings:
        return cls(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "photo-tagger"))

    def _upgrade(self) -> None:
        version = int(self._q.value(VERSION_KEY) or 0) if self._q.contains(VERSION_KEY) else 0
        if version == 0 and not self._q.allKeys():
            version = VERSION  # a new settings file starts at the current version
        for step in UPGRADES[max(0, version - 1) :]:
            step(self._q)
        self._q.setValue(VERSION_KEY, VERSION)

    def get(self, option: Option[T]) -> T:
        if not self._q.contains(option.key):  # (value() of a missing key is a None that
            return option.default  # PySide6 6.12 on Python 3.11 miscounts)
        return _coerce(self._q.value(option.key), option.default)

    def set(self, option: Option[T], value: T) -> None:
        if isinstance(value, bytes):
            self._q.setValue(option.key, QByteArray(value))
        else:
            self._q.setValue(option.key, value)

    # --- per library -------------------------------------------------------------------------

    def watched_folders(self, library: Path) -> list[str]:
        key = f"libraries/{library_key(library)}/watched"
        raw = self._q.value(key) if self._q.contains(key) else []
        if isinstance(raw, str):  # QSettings hands back a one-element list as a string
            raw = [raw]
        return [str(p) for p in raw or []]

    def set_watched_folders(self, library: Path, folders: list[str]) -> None:
        group = f"libraries/{library_key(library)}"
        self._q.setValue(f"{group}/path", str(library))
        self._q.setValue(f"{group}/watched", list(folders))

    def sync(self) -> None:
        self._q.sync()

    @property
    def file_name(self) -> str:
        return str(self._q.fileName())


def _coerce(raw: Any, default: Any) -> Any:
    """QSettings' INI backend returns strings for numbers and booleans: give back the option's
    type, or the default when the stored text is not one."""
    try:
        if isinstance(default, bool):
            return raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, bytes):
            return bytes(raw.data()) if isinstance(raw, QByteArray) else bytes(raw)
        return str(raw)
    except (TypeError, ValueError):
        return default
