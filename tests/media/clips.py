"""Shared helpers for media tests: small shots, decoding clips back, measuring motion between frames."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from shotplanner.core.models import Movement, Project, PromptLayers, Scene, Shot, ShotSize

SMALL = (320, 180)


def make_shot(camera: str = "", *, movement: Movement = Movement.STATIC, duration: float = 2.0, fps: int = 24,
              light: str = "golden hour", environment: str = "city street", size: ShotSize = ShotSize.MS,
              mood: str = "tense", number: str = "3A", **fields: object) -> Shot:
    layers = PromptLayers(subject="A courier", action="crosses the market", environment=environment,
                          camera=camera, light=light, mood=mood)
    return Shot(number=number, layers=layers, movement=movement, duration_s=duration, fps=fps, size=size,
                lens_mm=35, **fields)


def project_with(*shots: Shot, fps: int = 24) -> Project:
    return Project(title="Test film", fps=fps, scenes=[Scene(number="3", shots=list(shots))])


def decode(path: Path, fmt: str = "rgb24") -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format=fmt) for f in container.decode(container.streams.video[0])]


def gray(frame: np.ndarray) -> np.ndarray:
    return frame[..., :3].astype(np.float64).mean(axis=2)


def phase_shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(dx, dy) such that ``b`` ≈ ``a`` moved right by dx and down by dy (phase correlation)."""
    h, w = a.shape
    window = np.outer(np.hanning(h), np.hanning(w))
    fa = np.fft.fft2((a - a.mean()) * window)
    fb = np.fft.fft2((b - b.mean()) * window)
    cross = fb * np.conj(fa)
    corr = np.fft.ifft2(cross / (np.abs(cross) + 1e-9)).real
    dy, dx = np.unravel_index(np.argmax(corr), corr.shape)
    dx = dx - w if dx > w // 2 else dx
    dy = dy - h if dy > h // 2 else dy
    return float(dx), float(dy)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-12))


def zoom_about_centre(a: np.ndarray, scale: float) -> np.ndarray:
    """``a`` magnified by ``scale`` about its centre (nearest sample), same size."""
    h, w = a.shape
    ys = np.clip(((np.arange(h) - h / 2) / scale + h / 2).astype(int), 0, h - 1)
    xs = np.clip(((np.arange(w) - w / 2) / scale + w / 2).astype(int), 0, w - 1)
    return a[np.ix_(ys, xs)]


def best_zoom(a: np.ndarray, b: np.ndarray) -> float:
    """The magnification of ``a`` about the centre that best matches ``b`` (central region compared)."""
    h, w = a.shape
    region = (slice(h // 5, h * 4 // 5), slice(w // 5, w * 4 // 5))
    scales = np.arange(0.6, 1.6001, 0.02)
    scores = [correlation(zoom_about_centre(a, s)[region], b[region]) for s in scales]
    return float(scales[int(np.argmax(scores))])
