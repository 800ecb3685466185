"""Who is this face: a small popup beside the face, placed where it covers no other face or name.

It offers what fits the face: a name to type (completed from the people named so far), and for a
face someone named is suggested for, "✓ It's Ana" / "✗ Not Ana". A face of a group nobody named
yet offers "Name this person…" (naming it names the whole group), "✓ Same person" and
"✗ Someone else"; the group's stand-in label is never shown there. A face drawn by hand can
be removed.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, QStringListModel, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photo_tagger.gui.face_canvas import CONFIRMED, SUGGESTED, FaceBox, FaceCanvas
from photo_tagger.store.doc_values import USER_FACE_FIRST

NAME_THIS = "Name this person…"
GAP = 6


class FacePopup(QFrame):
    """Type a name, or answer the suggestion. `face` None: a face just drawn by hand."""

    named = Signal(str)
    confirmed = Signal()
    rejected = Signal()
    removed = Signal()

    def __init__(
        self, names: list[str], face: FaceBox | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(QLabel("<b>Who is this?</b>"))
        self.name_input = QLineEdit()
        named = face is not None and face.named
        self.name_input.setPlaceholderText("Name" if named else NAME_THIS)
        if face is not None and face.state == CONFIRMED and named:
            self.name_input.setText(face.label)
            self.name_input.selectAll()
        completer = QCompleter(QStringListModel(sorted(names), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_input.setCompleter(completer)
        self.name_input.returnPressed.connect(self._on_name)
        layout.addWidget(self.name_input)
        self.confirm_button: QPushButton | None = None
        self.reject_button: QPushButton | None = None
        self.remove_button: QPushButton | None = None
        buttons = QHBoxLayout()
        if face is not None and face.person is not None:
            self._answers(face, buttons)
        if face is not None and face.face >= USER_FACE_FIRST:
            self.remove_button = self._button("Remove Face", self.removed, buttons)
            self.remove_button.setToolTip("Remove this face box you drew")
        layout.addLayout(buttons)
        self.setFocusProxy(self.name_input)

    def _answers(self, face: FaceBox, buttons: QHBoxLayout) -> None:
        who = face.label.rstrip("?")
        if face.named:
            if face.state == SUGGESTED:
                self.confirm_button = self._button(f"✓ It’s {who}", self.confirmed, buttons)
            self.reject_button = self._button(f"✗ Not {who}", self.rejected, buttons)
        else:  # a group nobody named: its stand-in label means nothing to the user
            if face.state == SUGGESTED:
                self.confirm_button = self._button("✓ Same person", self.confirmed, buttons)
                self.confirm_button.setToolTip(
                    "This face is the person of the other faces it was grouped with"
                )
            self.reject_button = self._button("✗ Someone else", self.rejected, buttons)
            self.reject_button.setToolTip(
                "This face is not the person of the other faces it was grouped with"
            )

    def _button(self, text: str, signal: SignalInstance, buttons: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)

        def answer() -> None:
            signal.emit()
            self.close()

        button.clicked.connect(answer)
        buttons.addWidget(button)
        return button

    def _on_name(self) -> None:
        name = self.name_input.text().strip()
        if name:
            self.named.emit(name)
            self.close()

    def place(self, canvas: FaceCanvas, face: QRectF, own: int = -1) -> None:
        """Move beside `face` (widget coordinates of `canvas`) where the popup covers no other
        face's box or name: below, above, right or left of it, else where it covers least."""
        size = self.sizeHint()
        w, h = size.width(), size.height()
        others = [canvas.face_rect(i) for i in range(len(canvas.faces)) if i != own]
        others += [canvas.label_rect(i) for i in range(len(canvas.faces)) if i != own]
        x = face.center().x() - w / 2
        y = face.center().y() - h / 2
        own_label = canvas.label_rect(own) if own >= 0 else face
        below = max(face.bottom(), own_label.bottom()) + GAP
        above = min(face.top(), own_label.top()) - GAP - h
        candidates = [
            QRectF(x, below, w, h),
            QRectF(x, above, w, h),
            QRectF(face.right() + GAP, y, w, h),
            QRectF(face.left() - GAP - w, y, w, h),
        ]
        area = QRectF(canvas.rect())

        def cost(rect: QRectF) -> float:
            covered = sum(_area(rect & other) for other in others)
            outside = _area(rect) - _area(rect & area)
            return covered + outside

        best = min(candidates, key=cost)  # the first of those that cover nothing, if any
        for rect in candidates:
            if cost(rect) < 1.0:  # less than a pixel: rounding
                best = rect
                break
        left = min(max(best.left(), 0.0), max(0.0, area.width() - w))
        top = min(max(best.top(), 0.0), max(0.0, area.height() - h))
        self.move(canvas.mapToGlobal(QPoint(round(left), round(top))))


def _area(rect: QRectF) -> float:
    return max(0.0, rect.width()) * max(0.0, rect.height()) if rect.isValid() else 0.0
