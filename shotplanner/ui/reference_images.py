"""Reference images dropped on the form or a card: checked, then copied into ``PROJECT/media/refs/``.

All files are checked before any is copied, so a drop of five files with one bad one changes nothing
and says which file is wrong and why. Copies are named by content hash: dropping the same picture twice
reuses one file, and a name never comes from outside the project.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImageReader

from shotplanner.core.storage import media_dir

REFS = "refs"


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
