"""Renaming a tag from the window: how an event gets its name (the filter panel's "Name this
event…" and "Rename tag…")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QWidget

from photo_tagger.gui.tag_names import renamed_tag

if TYPE_CHECKING:
    from photo_tagger.gui.library_controller import LibraryController


def rename_tag(
    window: QWidget, controller: LibraryController, tag: str, new: str | None = None
) -> None:
    """Give a tag (and the tags under it) another name on every photo that has it. Asks for the
    name (a dialog over `window`) unless `new` is given."""
    if controller.session is None:
        return
    if new is None:
        event = tag.startswith("Events/") and tag.count("/") == 2
        title = "Name the event" if event else "Rename tag"
        leaf = tag.rpartition("/")[2]
        new, ok = QInputDialog.getText(window, title, f"New name for “{tag}”:", text=leaf)
        if not ok:
            return
    name = renamed_tag(tag, new)
    if name is not None:
        controller.rename_tag(tag, name)
