"""Cut, copy and paste of shots through the system clipboard (``core.clipboard`` holds the format).

Copy puts two forms on the clipboard: the shots as Shotplanner's JSON (:data:`core.clipboard.MIME`) and
a plain-text shot list for other programs. Paste inserts after the current shot as one undo step
(:class:`PasteShotsCommand`); reference images from another project are copied into this one's
``media/refs/`` first. Because it is the system clipboard, shots travel between two open windows or two
running copies of the app alike. When a text field has the keyboard focus, Edit ▸ Cut/Copy/Paste act on
its text instead, as in any editor.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from shotplanner.core.clipboard import MIME, ClipboardError, decode_shots, encode_shots, summary_text
from shotplanner.core.models import Shot
from shotplanner.core.storyboard import Storyboard
from shotplanner.ui.commands import AddShotsCommand, RemoveShotsCommand
from shotplanner.ui.reference_images import import_images

if TYPE_CHECKING:
    from shotplanner.ui.main_window import MainWindow


class PasteShotsCommand(AddShotsCommand):
    """Pasted shots, inserted as one step; undo removes them all (copied reference files stay, unused)."""

    def __init__(self, sb: Storyboard, shots: list[Shot], scene_id: str, index: int | None) -> None:
        n = len(shots)
        super().__init__(sb, shots, scene_id, index, f"Paste {n} shots" if n > 1 else "Paste shot")


def _text_target() -> QWidget | None:
    """The focused text field, when the keyboard is in one (then Cut/Copy/Paste are about its text)."""
    focus = QApplication.focusWidget()
    if isinstance(focus, QLineEdit | QPlainTextEdit | QTextEdit):
        return focus
    if isinstance(focus, QAbstractSpinBox | QComboBox):
        edit = focus.lineEdit()
        return edit if edit is not None else None
    return None


def copy_shots(window: MainWindow, shot_ids: list[str] | None = None) -> int:
    """Put ``shot_ids`` (default: the selection) on the clipboard; returns how many."""
    ids = window.selected_ids() if shot_ids is None else shot_ids
    if not ids:
        return 0
    project = window.storyboard.project
    data = QMimeData()
    data.setData(MIME, QByteArray(encode_shots(project, window.folder, ids).encode("utf-8")))
    data.setText(summary_text(project, ids))
    QApplication.clipboard().setMimeData(data)
    window.show_message(f"Copied {len(ids)} shot(s).")
    return len(ids)


def cut_shots(window: MainWindow, shot_ids: list[str] | None = None) -> int:
    ids = window.selected_ids() if shot_ids is None else shot_ids
    if not copy_shots(window, ids):
        return 0
    row = window.storyboard.row_of(ids[0])
    cmd = RemoveShotsCommand(window.storyboard, ids)
    cmd.setText(f"Cut {len(ids)} shots" if len(ids) > 1 else "Cut shot")
    window.undo_stack.push(cmd)
    if window.model.rowCount():
        window.select([window.model.shot_at(min(row, window.model.rowCount() - 1)).id])
    return len(ids)


def clipboard_has_shots() -> bool:
    data = QApplication.clipboard().mimeData()
    return data is not None and data.hasFormat(MIME)


def paste_shots(window: MainWindow) -> list[str]:
    """Insert the clipboard's shots after the current one (one undo step); returns their new ids."""
    data = QApplication.clipboard().mimeData()
    if data is None or not data.hasFormat(MIME):
        window.show_message("Nothing to paste: copy shots first.")
        return []
    text = bytes(data.data(MIME).data()).decode("utf-8", errors="replace")
    folder: Path | None = window.folder

    def copy_image(path: Path) -> str:
        assert folder is not None
        return import_images(folder, [path])[0]

    try:
        pasted = decode_shots(text, window.storyboard.project, folder, copy_image if folder else None)
    except ClipboardError as exc:
        window.show_message(f"Nothing pasted: {exc}.")
        return []
    scene_id, index = window._insert_place()
    cmd = PasteShotsCommand(window.storyboard, pasted.shots, scene_id, index)
    window.undo_stack.push(cmd)
    window.select(cmd.shot_ids)
    note = f" ({'; '.join(pasted.notes)})" if pasted.notes else ""
    window.show_message(f"Pasted {len(pasted.shots)} shot(s){note}.")
    return cmd.shot_ids


def edit_cut(window: MainWindow) -> None:
    target = _text_target()
    if target is not None:
        target.cut()  # type: ignore[attr-defined]
    else:
        cut_shots(window)


def edit_copy(window: MainWindow) -> None:
    target = _text_target()
    if target is not None:
        target.copy()  # type: ignore[attr-defined]
    else:
        copy_shots(window)


def edit_paste(window: MainWindow) -> None:
    target = _text_target()
    if target is not None:
        target.paste()  # type: ignore[attr-defined]
    else:
        paste_shots(window)
