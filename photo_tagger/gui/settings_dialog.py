"""Settings: the library's folder and its watched folders, tag thresholds, the library's sync
server, the cloud model (opt-in, per library) and XMP sidecars.

The dialog only edits values (`SettingsValues`); the window applies them. What it is given is
checked before it closes (a server address, the cloud model's settings), so that applying them
cannot fail on a typing mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class SettingsValues:
    library: Path
    watched: list[str]
    threshold_scale: float
    low_confidence: float
    # the library's sync server (both empty: none)
    sync_server: str = ""
    sync_token: str = ""
    # the cloud model, for this library (photo_tagger.cloud.escalation.EscalationSettings)
    cloud_enabled: bool = False
    cloud_endpoints: tuple[str, ...] = ()
    cloud_token: str = ""
    cloud_threshold: float = 0.5
    cloud_budget: int = 100
    cloud_max_side: int = 1024
    # XMP sidecars
    xmp_keep: bool = False
    xmp_naming: str = "jpg.xmp"
    xmp_model_tags: bool = False
    # shown, not edited
    sync_status: str = ""
    cloud_status: str = ""


class SettingsDialog(QDialog):
    def __init__(self, values: SettingsValues, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        tabs = QTabWidget()
        tabs.addTab(self._library_page(values), "Library")
        tabs.addTab(self._tags_page(values), "Tags")
        tabs.addTab(self._sync_page(values), "Sync")
        tabs.addTab(self._cloud_page(values), "Cloud model")
        tabs.addTab(self._sidecars_page(values), "Sidecars")
        self.tabs = tabs

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(620, 480)

    # --- library -------------------------------------------------------------------------------

    def _library_page(self, values: SettingsValues) -> QWidget:
        self.library = QLineEdit(str(values.library))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_library)
        row = QHBoxLayout()
        row.addWidget(self.library, 1)
        row.addWidget(browse)
        self.watched = QListWidget()
        self.watched.addItems(values.watched)
        stop = QPushButton("Stop watching")
        stop.setToolTip("The folder's photos stay in the library; changes are no longer picked up")
        stop.clicked.connect(self._remove_watched)
        page = QWidget()
        form = QVBoxLayout(page)
        form.addWidget(
            QLabel(
                "Library folder (tags, people, thumbnails; another folder opens "
                "or starts another library):"
            )
        )
        form.addLayout(row)
        form.addSpacing(8)
        form.addWidget(
            QLabel(
                "Watched folders (photos added, changed or deleted there are "
                "picked up by themselves):"
            )
        )
        form.addWidget(self.watched, 1)
        form.addWidget(stop)
        return page

    # --- tags ----------------------------------------------------------------------------------

    def _tags_page(self, values: SettingsValues) -> QWidget:
        self.threshold_scale = QDoubleSpinBox()
        self.threshold_scale.setRange(0.25, 2.0)
        self.threshold_scale.setSingleStep(0.05)
        self.threshold_scale.setValue(values.threshold_scale)
        self.threshold_scale.setToolTip(
            "Each tag has its own threshold; this multiplies them all. Lower shows more tags "
            "(and more mistakes), higher fewer."
        )
        self.low_confidence = QDoubleSpinBox()
        self.low_confidence.setRange(0.05, 0.95)
        self.low_confidence.setSingleStep(0.05)
        self.low_confidence.setValue(values.low_confidence)
        self.low_confidence.setToolTip(
            "Photos whose best model tag scores under this are listed under 'Low confidence'."
        )
        page = QWidget()
        tags_form = QFormLayout(page)
        tags_form.addRow("Tag threshold ×", self.threshold_scale)
        tags_form.addRow("Low confidence under", self.low_confidence)
        return page

    # --- sync ----------------------------------------------------------------------------------

    def _sync_page(self, values: SettingsValues) -> QWidget:
        self.sync_server = QLineEdit(values.sync_server)
        self.sync_server.setPlaceholderText("http://192.168.1.20:8765")
        self.sync_token = QLineEdit(values.sync_token)
        self.sync_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.sync_token.setPlaceholderText("printed by `photo-tagger server add-library`")
        self.sync_status = QLabel(values.sync_status or "Not syncing.")
        self.sync_status.setWordWrap(True)
        stop = QPushButton("Stop syncing")
        stop.setToolTip("Forget the server and token; the library stays as it is")
        stop.clicked.connect(self._stop_syncing)
        page, form = _form_page()
        form.addRow(
            _note(
                "Tags, people and names sync with your own photo-tagger server whenever it can "
                "be reached, so that this library is the same on your other computers. Edits "
                "made offline wait here and go up later. Only tags, faces and names are sent, "
                "never photos."
            )
        )
        form.addRow("Server", self.sync_server)
        form.addRow("Token", self.sync_token)
        form.addRow("Status", self.sync_status)
        row = QHBoxLayout()
        row.addWidget(stop)
        row.addStretch(1)
        form.addRow("", row)
        return page

    def _stop_syncing(self) -> None:
        self.sync_server.clear()
        self.sync_token.clear()

    # --- cloud model -----------------------------------------------------------------------------

    def _cloud_page(self, values: SettingsValues) -> QWidget:
        self.cloud_enabled = QCheckBox(
            "Refine photos the local model is unsure of with a bigger model in the cloud"
        )
        self.cloud_enabled.setChecked(values.cloud_enabled)
        self.cloud_endpoints = QPlainTextEdit("\n".join(values.cloud_endpoints))
        self.cloud_endpoints.setPlaceholderText("http://192.168.1.20:8765\n(one per line)")
        self.cloud_endpoints.setToolTip(
            "Servers speaking the Open Inference Protocol v2 (your `photo-tagger serve`, Triton, "
            "KServe): tried in order, the next when one is down"
        )
        self.cloud_endpoints.setFixedHeight(self.cloud_endpoints.fontMetrics().lineSpacing() * 4)
        self.cloud_token = QLineEdit(values.cloud_token)
        self.cloud_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.cloud_threshold = QDoubleSpinBox()
        self.cloud_threshold.setRange(0.05, 1.0)
        self.cloud_threshold.setSingleStep(0.05)
        self.cloud_threshold.setValue(values.cloud_threshold)
        self.cloud_threshold.setToolTip("A photo goes when its best local tag scores under this")
        self.cloud_budget = QSpinBox()
        self.cloud_budget.setRange(0, 100_000)
        self.cloud_budget.setValue(values.cloud_budget)
        self.cloud_budget.setSuffix(" photos a day")
        self.cloud_max_side = QSpinBox()
        self.cloud_max_side.setRange(224, 8192)
        self.cloud_max_side.setSingleStep(64)
        self.cloud_max_side.setValue(values.cloud_max_side)
        self.cloud_max_side.setSuffix(" px")
        self.cloud_status = QLabel(values.cloud_status)
        self.cloud_status.setWordWrap(True)
        self.privacy = _note("")
        self.cloud_max_side.valueChanged.connect(self._update_privacy)
        self.cloud_enabled.toggled.connect(self._update_privacy)
        self._cloud_fields: list[QWidget] = [
            self.cloud_endpoints,
            self.cloud_token,
            self.cloud_threshold,
            self.cloud_budget,
            self.cloud_max_side,
        ]
        page, form = _form_page()
        form.addRow(self.cloud_enabled)
        form.addRow("Endpoints", self.cloud_endpoints)
        form.addRow("Token", self.cloud_token)
        form.addRow("Send photos scoring under", self.cloud_threshold)
        form.addRow("At most", self.cloud_budget)
        form.addRow("Long side sent", self.cloud_max_side)
        form.addRow(self.privacy)
        form.addRow("So far", self.cloud_status)
        self._update_privacy()
        return page

    def _update_privacy(self, *_: object) -> None:
        on = self.cloud_enabled.isChecked()
        for w in self._cloud_fields:
            w.setEnabled(on)
        if on:
            self.privacy.setText(
                "What is sent for a photo: its pixels, re-encoded, at most "
                f"{self.cloud_max_side.value()} px on the long side, without EXIF, GPS or XMP. "
                "Never the file, and only photos the local model is unsure of."
            )
        else:
            self.privacy.setText("Off: nothing is sent, and no connection of any kind is made.")

    # --- sidecars --------------------------------------------------------------------------------

    def _sidecars_page(self, values: SettingsValues) -> QWidget:
        self.xmp_keep = QCheckBox("Keep XMP sidecars up to date as tags and names change")
        self.xmp_keep.setChecked(values.xmp_keep)
        self.xmp_naming = QComboBox()
        self.xmp_naming.addItem("IMG_0001.jpg.xmp (digiKam, darktable, ExifTool)", "jpg.xmp")
        self.xmp_naming.addItem("IMG_0001.xmp (Lightroom, Capture One)", "xmp")
        self.xmp_naming.setCurrentIndex(max(0, self.xmp_naming.findData(values.xmp_naming)))
        self.xmp_model_tags = QCheckBox("Also write the model's tags (not only yours and names)")
        self.xmp_model_tags.setChecked(values.xmp_model_tags)
        page, form = _form_page()
        form.addRow(
            _note(
                "Sidecars carry each photo's tags and named faces next to it, where digiKam, "
                "Lightroom and other applications read them. What they or you wrote there "
                "stays; only photo-tagger's part changes. File › Write XMP Sidecars writes "
                "them all."
            )
        )
        form.addRow(self.xmp_keep)
        form.addRow("Sidecar names", self.xmp_naming)
        form.addRow(self.xmp_model_tags)
        return page

    # --- the values ------------------------------------------------------------------------------

    def values(self) -> SettingsValues:
        endpoints = self.cloud_endpoints.toPlainText().split()
        return SettingsValues(
            library=Path(self.library.text().strip()).expanduser(),
            watched=[self.watched.item(i).text() for i in range(self.watched.count())],
            threshold_scale=self.threshold_scale.value(),
            low_confidence=self.low_confidence.value(),
            sync_server=self.sync_server.text().strip(),
            sync_token=self.sync_token.text().strip(),
            cloud_enabled=self.cloud_enabled.isChecked(),
            cloud_endpoints=tuple(e.strip().rstrip("/") for e in endpoints if e.strip()),
            cloud_token=self.cloud_token.text().strip(),
            cloud_threshold=round(self.cloud_threshold.value(), 3),
            cloud_budget=self.cloud_budget.value(),
            cloud_max_side=self.cloud_max_side.value(),
            xmp_keep=self.xmp_keep.isChecked(),
            xmp_naming=str(self.xmp_naming.currentData()),
            xmp_model_tags=self.xmp_model_tags.isChecked(),
        )

    def problem(self) -> tuple[int, str] | None:
        """(tab, what to fix) if the values cannot be applied as they are."""
        from photo_tagger.errors import PhotoTaggerError

        v = self.values()
        if v.sync_server or v.sync_token:
            from photo_tagger.store.sync import check_server_url

            if not (v.sync_server and v.sync_token):
                return SYNC_TAB, "Give both the sync server's address and the library's token."
            try:
                check_server_url(v.sync_server)
            except PhotoTaggerError as exc:
                return SYNC_TAB, str(exc)
        try:
            cloud_settings(v)
        except PhotoTaggerError as exc:
            return CLOUD_TAB, str(exc).replace("--endpoint URL", "an endpoint").replace(
                "Give --token TOKEN", "Give the token"
            )
        return None

    def accept(self) -> None:
        problem = self.problem()
        if problem is not None:
            self.tabs.setCurrentIndex(problem[0])
            QMessageBox.warning(self, "Settings", problem[1])
            return
        super().accept()

    def _choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder", self.library.text())
        if folder:
            self.library.setText(folder)

    def _remove_watched(self) -> None:
        for item in self.watched.selectedItems():
            self.watched.takeItem(self.watched.row(item))


LIBRARY_TAB, TAGS_TAB, SYNC_TAB, CLOUD_TAB, SIDECARS_TAB = range(5)


def _form_page() -> tuple[QWidget, QFormLayout]:
    """A page of rows, kept at the top (wrapped notes do not spread over the free space)."""
    page = QWidget()
    outer = QVBoxLayout(page)
    form = QFormLayout()
    outer.addLayout(form)
    outer.addStretch(1)
    return page, form


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def cloud_settings(v: SettingsValues, model: str | None = None):  # type: ignore[no-untyped-def]
    """The cloud model's settings the values say (checked: EscalationNotConfiguredError)."""
    from photo_tagger.cloud.escalation import DEFAULT_MODEL, EscalationSettings, check_settings

    return check_settings(
        EscalationSettings(
            enabled=v.cloud_enabled,
            endpoints=v.cloud_endpoints,
            token=v.cloud_token,
            threshold=v.cloud_threshold,
            daily_budget=v.cloud_budget,
            max_side=v.cloud_max_side,
            model=model or DEFAULT_MODEL,
        )
    )
