"""The people list's rows: each person with their face crops, a model over them and the delegate
that paints a row (name, counts, crops).

Face crops are cut from the thumbnail when the face is big enough in it, else from the photo
decoded at the scale that makes the face crop-sized; off the UI thread, through the ImageLoader.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from photo_tagger.errors import ImageError
from photo_tagger.gui.edits import NamePerson
from photo_tagger.gui.images import ImageLoader, Pixels, read_scaled
from photo_tagger.gui.session import Session

FaceKey = tuple[str, int]  # (content id, face index), as the store names faces

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CROP = 72  # face crop side, logical pixels
MAX_CROPS = 14
NAME_WIDTH = 190


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str | None
    hidden: bool
    faces: list[FaceKey]  # confirmed faces first
    photos: int

    @property
    def label(self) -> str:
        return self.name or f"Unnamed {self.id[:4]}"


def person_rows(session: Session, show_hidden: bool) -> list[PersonRow]:
    """Every person with a face on a photo on disk: unnamed first, then by number of faces."""
    rows = []
    for pid, faces in session.faces_by_person().items():
        person = session.doc.person(pid) or {}
        hidden = bool(person.get("hidden"))
        if hidden and not show_hidden:
            continue
        ordered = [k for k, c in faces if c] + [k for k, c in faces if not c]
        rows.append(
            PersonRow(pid, person.get("name"), hidden, ordered, len({k[0] for k in ordered}))
        )
    rows.sort(key=lambda r: (r.name is not None, -len(r.faces), r.name or "", r.id))
    return rows


def read_face_crop(
    thumbnail: Path | None,
    photo: str | None,
    box: tuple[float, float, float, float],
    photo_size: tuple[int, int],
    side: int,
    dpr: float,
) -> Pixels | None:
    """A square crop around a face, `side` logical pixels, from the thumbnail if the face is
    big enough in it, else from the photo decoded at the scale that makes it so."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = box
    w_full = max(photo_size)
    face = max(x1 - x0, y1 - y0, 1.0)
    want = side * dpr / 1.5  # the face fills two thirds of the crop
    source: np.ndarray | None = None
    if thumbnail is not None:
        thumb = read_scaled(thumbnail, QSize(1 << 14, 1 << 14))
        if thumb is not None and face * thumb.rgb.shape[1] / photo_size[0] >= want * 0.7:
            source = thumb.rgb
    if source is None and photo is not None:
        from photo_tagger.imaging import decode_photo

        target = int(min(w_full, max(256, w_full * want / face)))
        try:
            source = decode_photo(Path(photo).read_bytes(), photo, target).rgb
        except (OSError, ImageError):
            source = None
    if source is None:
        return None
    k = source.shape[1] / photo_size[0]
    cx, cy = (x0 + x1) / 2 * k, (y0 + y1) / 2 * k
    half = face * k * 0.75
    h, w = source.shape[:2]
    top, left = max(0, int(cy - half)), max(0, int(cx - half))
    crop = source[top : min(h, int(cy + half)), left : min(w, int(cx + half))]
    if crop.size == 0:
        return None
    px = max(1, round(side * dpr))
    scale = px / max(crop.shape[:2])
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    out = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    return Pixels(np.ascontiguousarray(out), dpr)


class PeopleModel(QAbstractListModel):
    def __init__(self, loader: ImageLoader) -> None:
        super().__init__()
        self._loader = loader
        self._session: Session | None = None
        self.rows: list[PersonRow] = []
        self.dpr = 1.0
        loader.loaded.connect(self._on_loaded)

    def set_rows(self, session: Session | None, rows: list[PersonRow]) -> None:
        self.beginResetModel()
        self._session = session
        self.rows = rows
        self.endResetModel()

    def crop(self, row: PersonRow, face: FaceKey) -> QImage | None:
        session = self._session
        if session is None:
            return None
        key = ("face", face[0], face[1], CROP, self.dpr)
        cached = self._loader.cached(key)
        if cached is not None:
            return cached
        size = session.photo_size(face[0])
        _, faces = session.doc.faces(face[0])
        boxes = {i: f["box"] for i, f in enumerate(faces)} | session.doc.user_faces(face[0])
        if size is None or face[1] not in boxes:
            return None
        info = session.index.photo(face[0]) or {}
        thumb = info.get("thumbnail")
        load = partial(
            read_face_crop,
            session.thumbs_root / thumb if thumb else None,
            session.path_of(face[0]),
            tuple(boxes[face[1]]),  # type: ignore[arg-type]
            size,
            CROP,
            self.dpr,
        )
        return self._loader.image(key, load)

    def _on_loaded(self, key: object) -> None:
        if isinstance(key, tuple) and key[0] == "face":
            for r, row in enumerate(self.rows):
                if (key[1], key[2]) in row.faces[:MAX_CROPS]:
                    i = self.index(r)
                    self.dataChanged.emit(i, i, [Qt.ItemDataRole.DecorationRole])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.label
        if role == Qt.ItemDataRole.EditRole:
            return row.name or ""
        if role == PERSON_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.label}: {len(row.faces)} faces in {row.photos} photos"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = 2
    ) -> bool:
        session = self._session
        if role != Qt.ItemDataRole.EditRole or session is None or not index.isValid():
            return False
        name = str(value).strip() or None
        row = self.rows[index.row()]
        if name == row.name:
            return False
        session.undo.push(NamePerson(session, row.id, name))
        return True


class PersonDelegate(QStyledItemDelegate):
    def __init__(self, model: PeopleModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex):
        return QSize(NAME_WIDTH + 4 * (CROP + 6), CROP + 16)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        row = self._model.rows[index.row()]
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(text_role))
        name_rect = QRect(rect.x() + 10, rect.y() + 8, NAME_WIDTH - 16, CROP // 2)
        font = painter.font()
        font.setBold(True)
        font.setItalic(row.name is None)
        painter.setFont(font)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                row.label, Qt.TextElideMode.ElideRight, name_rect.width()
            ),
        )
        font.setBold(False)
        font.setItalic(False)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        faces = f"{len(row.faces)} face{'s' if len(row.faces) != 1 else ''}"
        photos = f"{row.photos} photo{'s' if row.photos != 1 else ''}"
        detail = f"{faces} · {photos}" + (" · hidden" if row.hidden else "")
        painter.drawText(
            name_rect.translated(0, CROP // 2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            detail,
        )
        x = rect.x() + NAME_WIDTH
        y = rect.y() + 8
        for face in row.faces[:MAX_CROPS]:
            if x + CROP > rect.right():
                break
            target = QRectF(x, y, CROP, CROP)
            img = self._model.crop(row, face)
            if img is not None:
                painter.drawImage(target, img)
            else:
                placeholder = QColor(palette.color(QPalette.ColorRole.Mid))
                placeholder.setAlpha(80)
                painter.fillRect(target, placeholder)
            x += CROP + 6
        painter.restore()

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        rect: QRect = option.rect  # type: ignore[attr-defined]
        editor.setGeometry(QRect(rect.x() + 6, rect.y() + 6, NAME_WIDTH - 12, CROP // 2))
