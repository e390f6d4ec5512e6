"""Reference images: checked, then copied into ``PROJECT/media/refs/``; and the list that shows them.

Images come from a file dialog, the clipboard, or a drop on the form or a card. All files are checked
before any is copied, so a drop of five files with one bad one changes nothing and says which file is
wrong and why. Copies are named by content hash: adding the same picture twice — a 40 MB still included —
copies it once, and a name never comes from outside the project. The user's file name is kept as the
reference's label (``ImageRef.label``) and shown; the hash name is not.

:class:`ReferenceList` is the widget (the shot form's, with a role per image, and the cast panel's): it
only says what the user asked for through signals; its owner turns that into undo commands.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QImageReader, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shotplanner.core.models import ImageRef
from shotplanner.core.storage import media_dir

REFS = "refs"
#: How the form names each role (``ImageRef.role``).
ROLE_LABELS = {"start": "Start frame", "end": "End frame", "reference": "Reference"}


class ImageImportError(ValueError):
    """A dropped file is not a readable image (the message names the file and the reason)."""


def check_image(path: Path) -> str:
    """The image format name of ``path`` (``"png"``…); raises :class:`ImageImportError` if unreadable."""
    if not path.is_file():
        raise ImageImportError(f"{path.name}: not a file")
    reader = QImageReader(str(path))
    reader.setDecideFormatFromContent(True)
    fmt = bytes(reader.format().data()).decode() if reader.canRead() else ""
    if not fmt:
        raise ImageImportError(f"{path.name}: not an image Shotplanner can read ({reader.errorString()})")
    size = reader.size()
    if size.isValid() and (size.width() <= 0 or size.height() <= 0):
        raise ImageImportError(f"{path.name}: the image has no pixels")
    # A valid header is not enough (a truncated download has one): decode it, small, to be sure.
    if size.isValid():
        reader.setScaledSize(size.scaled(64, 64, Qt.AspectRatioMode.KeepAspectRatio))
    if reader.read().isNull():
        raise ImageImportError(f"{path.name}: the image is damaged or incomplete ({reader.errorString()})")
    return fmt


def import_images(project_dir: Path, paths: list[Path]) -> list[str]:
    """Copy readable images into the project; returns their project-relative paths (forward slashes)."""
    if not paths:
        raise ImageImportError("no files were dropped")
    checked = [(p, check_image(p)) for p in paths]  # raises before anything is copied
    dest_dir = media_dir(project_dir) / REFS
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImageImportError(f"cannot create {dest_dir}: {exc.strerror or exc}") from None
    out: list[str] = []
    for path, fmt in checked:
        digest = _digest(path)
        ext = "jpg" if fmt == "jpeg" else fmt
        dest = dest_dir / f"{digest}.{ext}"
        if not dest.exists():
            tmp = dest.with_suffix(dest.suffix + ".part")
            try:
                shutil.copyfile(path, tmp)
                tmp.replace(dest)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                reason = exc.strerror or exc
                raise ImageImportError(f"{path.name}: cannot copy into the project ({reason})") from None
        out.append(dest.relative_to(project_dir).as_posix())
    return out


def store_image(project_dir: Path, image: QImage) -> str:
    """Write a pasted picture into the project as PNG (named by its content); its relative path."""
    if image.isNull():
        raise ImageImportError("the clipboard holds no picture")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs say bytes; it takes str
        raise ImageImportError("the pasted picture cannot be written as PNG")
    buffer.close()
    raw = bytes(data.data())
    dest_dir = media_dir(project_dir) / REFS
    dest = dest_dir / f"{hashlib.sha256(raw).hexdigest()[:16]}.png"
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            tmp = dest.with_suffix(".png.part")
            tmp.write_bytes(raw)
            tmp.replace(dest)
    except OSError as exc:
        raise ImageImportError(f"cannot write the pasted picture into the project ({exc.strerror or exc})") \
            from None
    return dest.relative_to(project_dir).as_posix()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise ImageImportError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    return h.hexdigest()[:16]


def image_filter() -> str:
    """A file-dialog filter listing the image formats this Qt build reads."""
    exts = sorted({bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()})
    return "Images (" + " ".join(f"*.{e}" for e in exts) + ")"


class ReferenceList(QWidget):
    """Thumbnails with their file names, and Add… / Paste / Remove (and a role chooser, for shots)."""

    #: Image files chosen in the file dialog, or pasted as files (paths).
    filesChosen = Signal(list)
    #: A picture pasted from the clipboard (a QImage).
    imagePasted = Signal(QImage)
    #: The role chooser set a role: (path, role).
    roleChosen = Signal(str, str)
    #: Remove was pressed with these paths selected.
    removeChosen = Signal(list)

    def __init__(self, *, with_roles: bool, project_dir: Callable[[], Path | None] = lambda: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project_dir = project_dir
        self._dialog: QFileDialog | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("refsList")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(96, 54))
        self.list.setGridSize(QSize(118, 92))
        self.list.setWordWrap(True)
        self.list.setFixedHeight(104)
        self.list.setMovement(QListWidget.Movement.Static)  # drops fall through to the form
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add…")
        self.add_button.setToolTip("Choose image files to add (or drop them here, or paste with Ctrl+V)")
        self.add_button.clicked.connect(self.choose_files)
        self.paste_button = QPushButton("Paste")
        self.paste_button.setToolTip("Add the picture or image files on the clipboard")
        self.paste_button.clicked.connect(self.paste)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(
            lambda: self.removeChosen.emit(self.selected_paths()) if self.selected_paths() else None)
        row.addWidget(self.add_button)
        row.addWidget(self.paste_button)
        self.role_combo: QComboBox | None = None
        if with_roles:
            self.role_combo = QComboBox()
            self.role_combo.setObjectName("refRole")
            self.role_combo.setToolTip("How the model uses the selected image")
            for role, label in ROLE_LABELS.items():
                self.role_combo.addItem(label, role)
            self.role_combo.activated.connect(self._role_activated)
            row.addWidget(self.role_combo, 1)
        else:
            row.addStretch(1)
        row.addWidget(self.remove_button)
        lay.addLayout(row)
        # Ctrl+V in the list pastes images here, not shots into the storyboard (the window's Edit ▸
        # Paste): the list claims the key through ShortcutOverride, so there is no ambiguous shortcut.
        self.list.installEventFilter(self)
        self._selection_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Paste):
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    self.paste()
                return True
        return super().eventFilter(watched, event)

    def set_refs(self, refs: Sequence[ImageRef | str]) -> None:
        """Show ``refs`` (shot references with roles, or a character's plain paths); keeps the selection."""
        chosen = set(self.selected_paths())
        self.list.blockSignals(True)
        self.list.clear()
        folder = self._project_dir()
        for ref in refs:
            path = ref.path if isinstance(ref, ImageRef) else ref
            name = (ref.label if isinstance(ref, ImageRef) else "") or Path(path).name
            text = f"{ROLE_LABELS.get(ref.role, ref.role)}\n{name}" if isinstance(ref, ImageRef) else name
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(f"{name}\n{path}")
            if folder is not None:
                from shotplanner.ui.thumbnails import read_scaled  # small pictures only: no 12k decode

                image, _ = read_scaled(folder / path, QSize(96, 54))
                if image is not None:
                    item.setIcon(QIcon(QPixmap.fromImage(image)))
            self.list.addItem(item)
            item.setSelected(path in chosen)
        self.list.blockSignals(False)
        self._selection_changed()

    def selected_paths(self) -> list[str]:
        return [i.data(Qt.ItemDataRole.UserRole) for i in self.list.selectedItems()]

    def choose_files(self) -> QFileDialog:
        """A non-modal file dialog (``open()``, never ``exec()``: no nested loop under qasync)."""
        dialog = QFileDialog(self, "Add reference images")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(image_filter())
        dialog.filesSelected.connect(lambda files: self.filesChosen.emit([Path(f) for f in files]))
        self._dialog = dialog
        dialog.open()
        return dialog

    def paste(self) -> bool:
        """Add what the clipboard holds: image files (as from a file manager's Copy), else a picture."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return False
        paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if paths:
            self.filesChosen.emit(paths)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.imagePasted.emit(image)
                return True
        return False

    def _selection_changed(self) -> None:
        paths = self.selected_paths()
        self.remove_button.setEnabled(bool(paths))
        if self.role_combo is None:
            return
        self.role_combo.setEnabled(len(paths) == 1)
        if len(paths) == 1:
            text = self.list.selectedItems()[0].text().split("\n", 1)[0]
            role = next((r for r, label in ROLE_LABELS.items() if label == text), "reference")
            self.role_combo.setCurrentIndex(self.role_combo.findData(role))

    def _role_activated(self, _index: int) -> None:
        paths = self.selected_paths()
        if self.role_combo is not None and len(paths) == 1:
            self.roleChosen.emit(paths[0], self.role_combo.currentData())
