"""The settings dialog's values: read from where each lives, and applied in one place.

They live in three places: this computer's settings for the user (settings.py: tag thresholds,
XMP sidecars), this computer's settings for the library (its watched folders, also settings.py),
and the library's own settings table beside its document (its sync server and token,
photo_tagger.store.sync; its cloud model, photo_tagger.cloud.escalation). `current_values` reads
them all for the dialog; `apply_values` writes back what changed and tells the open library.
On the UI thread, which owns the library.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from photo_tagger.errors import PhotoTaggerError
from photo_tagger.gui import settings as opts
from photo_tagger.gui.settings import Settings
from photo_tagger.gui.settings_dialog import SettingsValues, cloud_settings
from photo_tagger.words import count

if TYPE_CHECKING:
    from photo_tagger.gui.library_controller import LibraryController
    from photo_tagger.gui.library_links import LibraryLinks
    from photo_tagger.store.background_sync import SyncStatus
    from photo_tagger.store.library import Library


def current_values(
    settings: Settings, library: Library | None, sync_status: SyncStatus | None
) -> SettingsValues:
    """What the settings dialog shows: for the open library, or (None) the last one opened."""
    s = settings
    path = library.path if library is not None else Path(s.get(opts.LIBRARY) or ".")
    values = SettingsValues(
        library=path,
        watched=s.watched_folders(path),
        threshold_scale=s.get(opts.THRESHOLD_SCALE),
        low_confidence=s.get(opts.LOW_CONFIDENCE),
        xmp_keep=s.get(opts.XMP_KEEP),
        xmp_naming=s.get(opts.XMP_NAMING),
        xmp_model_tags=s.get(opts.XMP_MODEL_TAGS),
    )
    if library is None:
        return values
    return with_library_values(values, library, sync_status)


def apply_values(
    settings: Settings,
    opened: LibraryController,
    links: LibraryLinks,
    old: SettingsValues,
    new: SettingsValues,
) -> list[str]:
    """Write what the dialog changed (`old`: what it was given) and tell the open library; the
    sync server and the cloud model belong to the open library. Returns what could not be
    applied. Another library folder is for the caller to open, after this."""
    problems = []
    s = settings
    s.set(opts.XMP_KEEP, new.xmp_keep)
    s.set(opts.XMP_NAMING, new.xmp_naming)
    s.set(opts.XMP_MODEL_TAGS, new.xmp_model_tags)
    session = opened.session
    if session is not None:
        try:
            if apply_sync(session.library, old, new):
                links.follow_sync()
            apply_cloud(session.library, old, new)
        except PhotoTaggerError as exc:
            problems.append(str(exc))
        links.settings_changed()
    if new.watched != old.watched:
        opened.set_watched(new.watched)
    if (new.threshold_scale, new.low_confidence) != (old.threshold_scale, old.low_confidence):
        s.set(opts.THRESHOLD_SCALE, new.threshold_scale)
        s.set(opts.LOW_CONFIDENCE, new.low_confidence)
        if session is not None:
            session.set_thresholds(new.threshold_scale, new.low_confidence)
    return problems


def with_library_values(
    values: SettingsValues, library: Library, sync_status: SyncStatus | None
) -> SettingsValues:
    """`values` with the library's sync and cloud model settings, and where each stands."""
    from photo_tagger.cloud import escalation
    from photo_tagger.store.sync import SyncSettings

    sync = SyncSettings.of(library.log)
    cloud = escalation.status(library)
    c = cloud.settings
    if sync is None:
        sync_text = "Not syncing."
    elif sync_status is None:
        sync_text = "Starting…"
    else:
        sync_text = sync_status.text() + (f": {sync_status.message}" if sync_status.message else "")
    if cloud.delivered or cloud.waiting or cloud.sent_today:
        cloud_text = (
            f"{count(cloud.delivered, 'photo')} refined, "
            f"{cloud.waiting} waiting, {cloud.sent_today} sent today"
        )
    else:
        cloud_text = "Nothing sent."
    if cloud.last_model:
        cloud_text += f"\nCloud model: {cloud.last_model}"
    return replace(
        values,
        sync_server=sync.server if sync else "",
        sync_token=sync.token if sync else "",
        cloud_enabled=c.enabled,
        cloud_endpoints=c.endpoints,
        cloud_token=c.token,
        cloud_threshold=c.threshold,
        cloud_budget=c.daily_budget,
        cloud_max_side=c.max_side,
        sync_status=sync_text,
        cloud_status=cloud_text,
    )


def apply_sync(library: Library, old: SettingsValues, new: SettingsValues) -> bool:
    """Remember (or forget) the library's server and token; returns whether they changed."""
    from photo_tagger.store import sync

    if (new.sync_server, new.sync_token) == (old.sync_server, old.sync_token):
        return False
    if new.sync_server and new.sync_token:
        sync.remember(library.log, new.sync_server, new.sync_token)
    else:
        sync.forget(library.log)
    return True


def apply_cloud(library: Library, old: SettingsValues, new: SettingsValues) -> bool:
    """Save the cloud model's settings for the library; returns whether they changed."""
    from photo_tagger.cloud.escalation import EscalationSettings

    fields = (
        "cloud_enabled",
        "cloud_endpoints",
        "cloud_token",
        "cloud_threshold",
        "cloud_budget",
        "cloud_max_side",
    )
    if all(getattr(old, f) == getattr(new, f) for f in fields):
        return False
    current = EscalationSettings.of(library.log)
    cloud_settings(new, model=current.model).save(library.log)
    return True
