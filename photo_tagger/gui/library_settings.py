"""The settings that belong to one library on this computer and live in the library itself (its
settings table, beside the document): the sync server and token (photo_tagger.store.sync), and the
cloud model (photo_tagger.cloud.escalation). Read for the settings dialog, written back from it;
on the UI thread, which owns the library."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from photo_tagger.gui.settings_dialog import SettingsValues, cloud_settings

if TYPE_CHECKING:
    from photo_tagger.store.background_sync import SyncStatus
    from photo_tagger.store.library import Library


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
            f"{cloud.delivered} photo{'s' if cloud.delivered != 1 else ''} refined, "
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
