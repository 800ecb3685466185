"""Star ratings, favourites and rejects in the window, as digiKam, Lightroom and Apple Photos users
expect: keys 0-5 rate the photos selected in the grid (or the photo shown), "." makes them
favourites (again: no longer), X rejects them (again: no longer); each an undoable step. The
*Photo* menu has them all; the grid's thumbnails and the viewer show the stars and flags
(marks_paint.py), and the filter panel has a *Ratings* section (`rating_nodes`).

A favourite and a reject exclude each other, as a pick and a reject do in Lightroom: marking one
takes the other off the photos that had it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette, QUndoCommand
from PySide6.QtWidgets import QMainWindow, QMenu, QStackedWidget

from photo_tagger.gui.facts import FAVOURITES, RATING, REJECTED, FactsIndex, Filter
from photo_tagger.gui.grid import PhotoGrid
from photo_tagger.gui.marks_paint import MarksBar, paint_on_thumbnail
from photo_tagger.gui.session import Session
from photo_tagger.gui.viewer import PhotoViewer
from photo_tagger.store.marks import FAVOURITE, MAX_STARS, Marks
from photo_tagger.store.marks import REJECTED as REJECTED_FIELD
from photo_tagger.words import count

Changes = dict[str, dict[str, int | bool]]  # photo id -> the fields set on it


class SetMarks(QUndoCommand):
    """Set ratings or flags on photos (each its own fields); undo puts back what each had."""

    def __init__(self, session: Session, changes: Changes, text: str, after: Callable[[], None]):
        super().__init__(text)
        self._session = session
        self._changes = changes
        self._after = after  # what is shown of them is painted again
        self._before = {pid: session.doc.marks(pid) for pid in changes}

    def redo(self) -> None:
        doc = self._session.doc
        with doc.batch():
            for pid, fields in self._changes.items():
                doc.set_marks([pid], **fields)  # type: ignore[arg-type]
        self._done()

    def undo(self) -> None:
        self._session.doc.restore_marks(self._before)
        self._done()

    def _done(self) -> None:
        ids = list(self._changes)
        self._session.reread_facts(ids)
        self._session.edited.emit(ids, [])  # the sync and the sidecars follow
        self._after()


def rating_changes(marks: dict[str, Marks], stars: int) -> tuple[Changes, str]:
    n = len(marks)
    where = "" if n == 1 else f" {n} photos"
    text = f"Rate{where} {count(stars, 'star')}" if stars else "Take the stars off"
    return {pid: {"rating": stars} for pid in marks}, text + ("" if stars else where)


def flag_changes(marks: dict[str, Marks], flag: str) -> tuple[Changes, str]:
    """Toggle `flag` (favourite or rejected): off when every photo has it, else on, taking the
    other flag off the photos that had it."""
    other = REJECTED_FIELD if flag == FAVOURITE else FAVOURITE
    on = not all(m.get(flag) for m in marks.values())
    changes: Changes = {}
    for pid, m in marks.items():
        fields: dict[str, int | bool] = {flag: on}
        if on and m.get(other):
            fields[other] = False
        changes[pid] = fields
    n = len(marks)
    what = "a favourite" if flag == FAVOURITE else "rejected"
    many = "" if n == 1 else f" ({n} photos)"
    return changes, (f"Mark as {what}" if on else f"No longer {what}") + many


class Window(Protocol):
    """The parts of the main window this module works with."""

    stack: QStackedWidget
    grid: PhotoGrid
    viewer: PhotoViewer

    @property
    def session(self) -> Session | None: ...


class Ratings(QObject):
    """The window's rating commands, their menu, and the stars in the grid and the viewer."""

    def __init__(self, window: Window, main: QMainWindow) -> None:
        super().__init__(main)
        self._window = window
        self._main = main
        self.rate = [self._action(f"{_stars_name(n)}", str(n), self._rater(n)) for n in range(6)]
        self.favourite = self._action("&Favourite", ".", lambda: self.toggle(FAVOURITE))
        self.reject = self._action("Re&ject", "X", lambda: self.toggle(REJECTED_FIELD))
        self.bar = MarksBar(self._shown_marks)
        self.bar.rate.connect(self.set_rating)
        self.bar.flag.connect(self.toggle)
        self._session: Session | None = None
        window.grid.set_overlay(self._paint_thumbnail)
        window.viewer.photoShown.connect(lambda _: self.bar.update())
        window.viewer.top_bar.insertWidget(2, self.bar)  # after the photo's name

    def set_session(self, session: Session | None) -> None:
        """Follow the open library: what another device or a scan changed is painted too."""
        if self._session is not None:
            self._session.factsChanged.disconnect(self.repaint)
        self._session = session
        if session is not None:
            session.factsChanged.connect(self.repaint)
        self.bar.update()

    def _action(self, text: str, key: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self._main)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda checked=False: slot())
        self._main.addAction(action)  # the keys work while the menu bar is hidden too
        return action

    def _rater(self, stars: int) -> Callable[[], None]:
        return lambda: self.set_rating(stars)

    def build_menu(self) -> QMenu:
        """Rating, Favourite and Reject in the *Photo* menu (the viewer's, when the window has
        it; else a menu of their own, after *Edit*)."""
        bar = self._main.menuBar()
        existing: list[QMenu] = []
        for a in bar.actions():
            found = a.menu()
            if a.text().replace("&", "") == "Photo" and isinstance(found, QMenu):
                existing.append(found)
        menu = existing[0] if existing else QMenu("&Photo", self._main)
        if existing:
            menu.addSeparator()
        rating = menu.addMenu("&Rating")
        for action in self.rate:
            rating.addAction(action)
        menu.addAction(self.favourite)
        menu.addAction(self.reject)
        if not existing:
            after_edit = [a for a in bar.actions() if a.text() == "&View"]
            if after_edit:
                bar.insertMenu(after_edit[0], menu)
            else:
                bar.addMenu(menu)
        return menu

    # --- what the keys work on ------------------------------------------------------------------

    def targets(self) -> list[str]:
        """The photo shown, or the photos selected in the grid; none on other pages."""
        w = self._window
        page = w.stack.currentWidget()
        if page is w.viewer:
            return [w.viewer.photo_id] if w.viewer.photo_id else []
        if page is not None and page.isAncestorOf(w.grid):
            return w.grid.selected_ids()
        return []

    def set_rating(self, stars: int) -> None:
        self._push(lambda marks: rating_changes(marks, stars))

    def toggle(self, flag: str) -> None:
        self._push(lambda marks: flag_changes(marks, flag))

    def _push(self, plan: Callable[[dict[str, Marks]], tuple[Changes, str]]) -> None:
        session, ids = self._window.session, self.targets()
        if session is None or not ids:
            self._main.statusBar().showMessage("Select photos in the grid to rate them.", 4000)
            return
        changes, text = plan({pid: session.doc.marks(pid) for pid in ids})
        session.undo.push(SetMarks(session, changes, text, self.repaint))

    def repaint(self, *_: object) -> None:
        self._window.grid.viewport().update()
        self.bar.update()

    # --- painting -------------------------------------------------------------------------------

    def _marks_of(self, photo_id: str) -> Marks | None:
        session = self._window.session
        facts = session.facts.get(photo_id) if session is not None else None
        return facts.marks if facts is not None else None

    def _paint_thumbnail(
        self, painter: QPainter, image: QRectF, photo_id: str, palette: QPalette
    ) -> None:
        marks = self._marks_of(photo_id)
        if marks is not None and not marks.empty:
            paint_on_thumbnail(painter, image, marks, palette)

    def _shown_marks(self) -> Marks | None:
        session, pid = self._window.session, self._window.viewer.photo_id
        if session is None or pid is None:
            return None
        return session.facts_of(pid).marks


def _stars_name(n: int) -> str:
    return "&0 No Stars" if n == 0 else f"&{n} {'★' * n}"


def install(window: Window, main: QMainWindow) -> Ratings:
    """The rating commands, menu, keys and painting, wired into the main window."""
    ratings = Ratings(window, main)
    ratings.build_menu()
    return ratings


# --- the filter panel's section -----------------------------------------------------------------


NodeParts = tuple[str, str, str, Filter | None, str]


def rating_nodes(facts: FactsIndex, current: str) -> list[NodeParts]:
    """(parent key, key, text, filter, tooltip) of the *Ratings* section: its heading, then at
    least N stars, favourites, rejected. Shown once a photo is rated or flagged (and while one of
    them is picked)."""
    counts = facts.stars
    rated = sum(n for s, n in counts.items() if s > 0)
    keys = {f"{RATING}:{n}" for n in range(1, MAX_STARS + 1)} | {f"{FAVOURITES}:", f"{REJECTED}:"}
    if not (rated or facts.favourites or facts.rejects) and current not in keys:
        return []
    out: list[NodeParts] = [("", "ratings", "Ratings", None, "")]
    for least in range(MAX_STARS, 0, -1):
        n = sum(c for s, c in counts.items() if s >= least)
        text = ("" if least == MAX_STARS else "≥ ") + "★" * least
        tip = f"Photos rated {count(least, 'star')} or more (keys 1-5)"
        flt = Filter(RATING, str(least))
        out.append(("ratings", f"{RATING}:{least}", f"{text}  ({n})", flt, tip))
    tip = "Photos marked as favourites (. in the grid or the viewer)"
    fav = Filter(FAVOURITES)
    out.append(("ratings", f"{FAVOURITES}:", f"Favourites  ({facts.favourites})", fav, tip))
    tip = "Photos rejected (X in the grid or the viewer)"
    rej = Filter(REJECTED)
    out.append(("ratings", f"{REJECTED}:", f"Rejected  ({facts.rejects})", rej, tip))
    return out
