"""A tiny X client that starts a real XDND drag of files, as a file manager would.

``python -m tests.xinput.file_source X,Y,W,H FILE...`` shows a small window at that place; a left-button
press on it starts a ``QDrag`` carrying the files as ``text/uri-list`` (copy action), so a pointer moved by
xdotool and released over the Shotplanner window delivers a drop from *another* X client, through the X
server's drag-and-drop protocol. It prints ``ready`` once mapped and ``dropped <action>`` after each drag.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel


class Source(QLabel):
    def __init__(self, files: list[Path]) -> None:
        super().__init__("drag files from here")
        self.files = files
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(f.resolve())) for f in self.files])
        drag = QDrag(self)
        drag.setMimeData(mime)
        action = drag.exec(Qt.DropAction.CopyAction)
        print(f"dropped {action.name}", flush=True)


def main() -> int:
    app = QApplication(sys.argv[:1])
    x, y, w, h = (int(v) for v in sys.argv[1].split(","))
    source = Source([Path(p) for p in sys.argv[2:]])
    source.setGeometry(x, y, w, h)
    source.show()
    QTimer.singleShot(300, lambda: print("ready", flush=True))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
