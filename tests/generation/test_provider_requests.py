"""Provider request details: the OpenAI reference at its output size; fal refusals keep the field name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from shotplanner.generation.base import BadRequest
from shotplanner.generation.providers.openai_videos import fit_to_size


def test_the_reference_is_scaled_to_cover_the_size_and_centre_cropped(tmp_path: Path) -> None:
    source = QImage(640, 480, QImage.Format.Format_RGB32)
    source.fill(QColor("#aa3300"))
    path = tmp_path / "start.jpg"
    assert source.save(str(path))
    for size, (w, h) in (("1280x720", (1280, 720)), ("720x1280", (720, 1280)), ("1792x1024", (1792, 1024))):
        out = QImage.fromData(fit_to_size(path, size), "PNG")
        assert (out.width(), out.height()) == (w, h)
        assert out.pixelColor(w // 2, h // 2).red() > 150  # the picture, not a blank canvas


def test_an_unreadable_reference_is_refused_before_sending(tmp_path: Path) -> None:
    bad = tmp_path / "start.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(BadRequest, match="cannot read the start image"):
        fit_to_size(bad, "1280x720")


def test_a_fal_refusal_keeps_the_field_name() -> None:
    import httpx

    from shotplanner.generation.providers.fal import validation_text

    body = {"detail": [
        {"loc": ["body", "duration"], "msg": "'6' is not of type 'integer'", "type": "type_error"},
        {"loc": ["body", "resolution"], "msg": "unexpected value", "type": "enum"},
    ]}
    response = httpx.Response(422, json=body)
    assert validation_text(response) == "duration: '6' is not of type 'integer'; resolution: unexpected value"
