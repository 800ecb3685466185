"""Settings: the library's folder and its watched folders, tag thresholds, and the places where
the sync server and the cloud model will be set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
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
    sync_server: str
    cloud_enabled: bool
    cloud_endpoint: str


class SettingsDialog(QDialog):
    def __init__(self, values: SettingsValues, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        tabs = QTabWidget()

        # --- library -------------------------------------------------------------------------
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
        tabs.addTab(page, "Library")

        # --- tags ----------------------------------------------------------------------------
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
        tabs.addTab(page, "Tags")

        # --- sync (a later version fills this in) -------------------------------------------
        self.sync_server = QLineEdit(values.sync_server)
        self.sync_server.setPlaceholderText("https://photos.example.org")
        page = QWidget()
        sync_form = QFormLayout(page)
        sync_form.addRow("Sync server", self.sync_server)
        sync_form.addRow(QLabel("Syncing with your own server comes in a later version."))
        self.sync_server.setEnabled(False)
        tabs.addTab(page, "Sync")

        # --- cloud model (a later version fills this in) ------------------------------------
        self.cloud_enabled = QCheckBox(
            "Ask the cloud model about photos the local one is unsure of"
        )
        self.cloud_enabled.setChecked(values.cloud_enabled)
        self.cloud_endpoint = QLineEdit(values.cloud_endpoint)
        self.cloud_endpoint.setPlaceholderText("https://inference.example.org")
        page = QWidget()
        cloud_form = QFormLayout(page)
        cloud_form.addRow(self.cloud_enabled)
        cloud_form.addRow("Endpoint", self.cloud_endpoint)
        cloud_form.addRow(
            QLabel(
                "The cloud model comes in a later version. Only a downscaled "
                "copy without location data would ever be sent."
            )
        )
        self.cloud_enabled.setEnabled(False)
        self.cloud_endpoint.setEnabled(False)
        tabs.addTab(page, "Cloud model")

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(560, 400)

    def values(self) -> SettingsValues:
        return SettingsValues(
            library=Path(self.library.text().strip()).expanduser(),
            watched=[self.watched.item(i).text() for i in range(self.watched.count())],
            threshold_scale=self.threshold_scale.value(),
            low_confidence=self.low_confidence.value(),
            sync_server=self.sync_server.text().strip(),
            cloud_enabled=self.cloud_enabled.isChecked(),
            cloud_endpoint=self.cloud_endpoint.text().strip(),
        )

    def _choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder", self.library.text())
        if folder:
            self.library.setText(folder)

    def _remove_watched(self) -> None:
        for item in self.watched.selectedItems():
            self.watched.takeItem(self.watched.row(item))
