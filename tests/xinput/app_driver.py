"""The real Shotplanner window on a real X display, steered by a test over a pipe.

Started by :class:`tests.xinput.harness.AppUnderTest` as
``python -m tests.xinput.app_driver PROJECT --reply-fd N [--geometry X,Y,W,H]`` with ``DISPLAY`` set to an
Xvfb server and ``QT_QPA_PLATFORM=xcb``. It opens the window exactly as ``shotplanner PROJECT`` does
(``shotplanner.app.main_gui``); the test then sends real input with xdotool and reads the result back
from ``project.json`` after asking for a save.

Commands are JSON lines on stdin, answered by JSON lines on the reply pipe (not stdout, which the app's
libraries may write to). ``{"eval": EXPR}`` evaluates EXPR on the GUI thread with ``window``, ``app``,
``QtCore``, ``QtGui``, ``QtWidgets``, ``global_rect`` and ``global_center`` in scope and answers
``{"ok": value}`` (value must be JSON-able) or ``{"error": traceback}``; ``{"exec": CODE}`` runs
statements the same way; ``{"save": true}`` saves the project; ``{"quit": true}`` closes the window
(unsaved changes are discarded, so save first). The first line on the pipe is ``{"ready": true}``,
sent once the storyboard has painted and the review panels are installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QObject, QPoint, QRect, QTimer, Signal, Slot


def global_rect(widget: QtWidgets.QWidget, rect: QRect | None = None) -> list[int]:
    """``[x, y, w, h]`` of ``rect`` (widget coordinates; the whole widget if omitted) on the screen."""
    r = rect if rect is not None else widget.rect()
    top_left = widget.mapToGlobal(r.topLeft())
    return [top_left.x(), top_left.y(), r.width(), r.height()]


def global_center(widget: QtWidgets.QWidget, rect: QRect | None = None) -> list[int]:
    """The screen point at the centre of ``rect`` (or of the whole widget)."""
    r = rect if rect is not None else widget.rect()
    p = widget.mapToGlobal(r.center())
    return [p.x(), p.y()]


class Control(QObject):
    """Runs each command on the GUI thread; a reader thread only forwards lines."""

    command = Signal(str)

    def __init__(self, reply_fd: int, geometry: tuple[int, int, int, int] | None) -> None:
        super().__init__()
        self._reply = os.fdopen(reply_fd, "w", buffering=1)
        self._geometry = geometry
        self.window: Any = None
        self.command.connect(self._run)

    def answer(self, payload: dict[str, Any]) -> None:
        self._reply.write(json.dumps(payload) + "\n")
        self._reply.flush()

    def storyboard_painted(self) -> None:
        app = QtWidgets.QApplication.instance()
        assert isinstance(app, QtWidgets.QApplication)
        from shotplanner.ui.main_window import MainWindow

        self.window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        if self._geometry is not None:
            self.window.setGeometry(*self._geometry)
        self.window.raise_()
        self.window.activateWindow()
        # The review panels are installed on the same first paint; let them and the layout settle.
        QTimer.singleShot(400, lambda: self.answer({"ready": True}))
        threading.Thread(target=self._read_stdin, daemon=True).start()

    def _read_stdin(self) -> None:
        for line in sys.stdin:
            if line.strip():
                self.command.emit(line)
        self.command.emit(json.dumps({"quit": True}))

    @Slot(str)
    def _run(self, line: str) -> None:
        request = json.loads(line)
        scope: dict[str, Any] = {
            "window": self.window, "app": QtWidgets.QApplication.instance(), "QtCore": QtCore,
            "QtGui": QtGui, "QtWidgets": QtWidgets, "QPoint": QPoint, "QRect": QRect,
            "global_rect": global_rect, "global_center": global_center,
        }
        try:
            if "eval" in request:
                self.answer({"ok": eval(request["eval"], scope)})  # test-only steering channel
            elif "exec" in request:
                exec(request["exec"], scope)
                self.answer({"ok": None})
            elif "save" in request:
                self.answer({"ok": bool(self.window.save())})
            elif "quit" in request:
                self.answer({"ok": True})
                self._reply.close()
                self.window.confirm_close = False  # unsaved changes are the test's to keep or drop
                self.window.close()
            else:
                self.answer({"error": f"unknown command {request!r}"})
        except Exception:
            self.answer({"error": traceback.format_exc()})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--geometry", default=None)
    args = parser.parse_args()
    geometry = tuple(int(v) for v in args.geometry.split(",")) if args.geometry else None
    from shotplanner.app import main_gui

    control = Control(args.reply_fd, geometry)  # type: ignore[arg-type]
    return main_gui(args.project, storyboard_paint=control.storyboard_painted)


if __name__ == "__main__":
    sys.exit(main())
