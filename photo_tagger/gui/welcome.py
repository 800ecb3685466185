"""What an empty library shows: what to do, and the sample photos to try it on."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    addFolder = Signal()
    addSamples = Signal()

    def __init__(self, has_samples: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h1>Your library is empty</h1>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "<p>Drop folders of photos (or single photos) onto this window, or use "
            "<b>File › Add Folder…</b>.</p>"
            "<p>Every photo is analysed on this computer: faces are found and grouped into "
            "people, and tags are suggested. Nothing is uploaded.</p>"
            "<p>Folders you add are watched: photos you add, change, move or delete there "
            "later are picked up by themselves.</p>"
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # at most 560 px wide, and narrower in a narrow window (beside the panels): the layout
        # centres it and asks its height for its width
        text.setMinimumWidth(280)
        text.setMaximumWidth(560)
        self.add_button = QPushButton("Add Folder…")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.addFolder)
        self.samples_button = QPushButton("Try the sample photos")
        self.samples_button.setToolTip("Ten photos that come with photo-tagger")
        self.samples_button.clicked.connect(self.addSamples)
        self.samples_button.setVisible(has_samples)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addSpacing(16)
        for button in (self.add_button, self.samples_button):
            button.setMinimumWidth(240)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
