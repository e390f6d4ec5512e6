"""Real project folders for the interchange tests: a project.json, real MP4 takes, one missing file."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from shotplanner.core.models import (
    LOCAL_MODEL_ID,
    LOCAL_PROVIDER,
    Angle,
    JobState,
    Movement,
    Project,
    PromptLayers,
    Scene,
    Shot,
    ShotSize,
    Take,
)

HARD_NAME = 'O\'Brien & "Zoë" <Тест> 東京'


def write_clip(
    path: Path,
    seconds: float = 1.0,
    fps: int = 24,
    color: tuple[int, int, int] = (200, 80, 40),
    *,
    audio: bool = False,
) -> Path:
    """A small real H.264 MP4 (64x36) of a flat colour, with an AAC tone when ``audio``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        sound = container.add_stream("aac", rate=48000) if audio else None
        if sound is not None:
            sound.layout = "stereo"
        frame_rgb = np.zeros((36, 64, 3), dtype=np.uint8)
        frame_rgb[:, :] = color
        for i in range(max(1, round(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(frame_rgb, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if sound is not None:
            t = np.arange(round(seconds * 48000)) / 48000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for start in range(0, len(tone) - 1023, 1024):
                chunk = np.ascontiguousarray(np.vstack([tone[start : start + 1024]] * 2))
                audio_frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                audio_frame.sample_rate = 48000
                audio_frame.pts = start
                for packet in sound.encode(audio_frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


def _take(clip: str, *, provider: str = "fal", model: str = "kling-2.1", circled: bool = False) -> Take:
    return Take(
        model_id=model, provider=provider, state=JobState.DONE, clip=clip, circled=circled, prompt="snapshot"
    )


@dataclass
class Expected:
    """What the cut of :func:`sample_project` must be: (name prefix, frames, media file or None)."""

    number: str
    frames: int
    media: str | None
    #: A shot with no take: the export writes a slate clip for it.
    placeholder: bool = False


def sample_project(folder: Path, *, write_media: bool = True) -> tuple[Project, list[Expected]]:
    """A project covering every cut rule and the bad inputs of the issue, saved into ``folder``."""
    takes = folder / "media" / "takes"
    if write_media:
        # circled.mp4 is longer than its shot wants; generated.mp4 is shorter (a model snapped the length)
        for name, seconds in (
            ("circled.mp4", 3.0),
            ("older.mp4", 1.0),
            ("generated.mp4", 1.0),
            ("animatic1.mp4", 1.0),
            ("animatic2.mp4", 1.0),
            ("hard.mp4", 1.0),
        ):
            # the generated take has sound (as Veo's and Seedance's do)
            write_clip(takes / name, seconds, audio=name == "generated.mp4")
    s1 = Shot(
        number="1",
        size=ShotSize.CU,
        angle=Angle.LOW,
        movement=Movement.PUSH_IN,
        lens_mm=85,
        duration_s=2.0,
        model_id="kling-2.1",
        notes="Hands out of frame",
        layers=PromptLayers(subject="A chef", action="tastes the soup", light="warm key from the left"),
        takes=[
            _take("media/takes/older.mp4"),
            _take("media/takes/circled.mp4", circled=True),
            _take("media/takes/older.mp4"),
        ],
    )
    s1a = Shot(
        number="1A",
        size=ShotSize.WS,
        duration_s=1.5,
        layers=PromptLayers(subject="The kitchen", environment="steam, copper pans"),
        takes=[
            _take("media/takes/animatic1.mp4", provider=LOCAL_PROVIDER, model=LOCAL_MODEL_ID),
            _take("media/takes/generated.mp4", model="veo-3.1"),
            Take(model_id="luma-ray2", provider="fal", state=JobState.FAILED),
        ],
    )
    s1b = Shot(
        number="1B",
        size=ShotSize.INSERT,
        duration_s=1.0,
        movement=Movement.TILT_DOWN,
        layers=PromptLayers(subject="A spoon"),
        takes=[_take("media/takes/animatic2.mp4", provider=LOCAL_PROVIDER, model=LOCAL_MODEL_ID)],
    )
    s1c = Shot(
        number="1C", size=ShotSize.MS, duration_s=2.5, layers=PromptLayers(action="nobody generated me")
    )
    s2 = Shot(
        number="2",
        size=ShotSize.OTS,
        duration_s=1.0,
        layers=PromptLayers(subject="The missing take"),
        takes=[_take("media/takes/gone.mp4", circled=True)],
    )
    s2a = Shot(number="2A", duration_s=0.0, layers=PromptLayers(subject="Zero length"))
    s2b = Shot(
        number="2B",
        size=ShotSize.ECU,
        duration_s=1.0,
        lens_mm=100,
        layers=PromptLayers(subject=HARD_NAME, action='says "hello" & <leaves>'),
        notes="Ампер & 'quote'",
        takes=[_take("media/takes/hard.mp4")],
    )
    project = Project(
        title='Soup & "Stars" — 東京',
        fps=24,
        scenes=[
            Scene(number="1", heading="INT. KITCHEN - NIGHT", shots=[s1, s1a, s1b, s1c]),
            Scene(number="2", heading="EXT. ROOF - DAWN", shots=[s2, s2a, s2b]),
        ],
    )
    save(project, folder)
    expected = [
        Expected("1", 48, "media/takes/circled.mp4"),
        # 1A wants 1.5 s (36 frames) but its take lasts 1 s: the clip runs the take's 24 frames
        Expected("1A", 24 if write_media else 36, "media/takes/generated.mp4"),
        Expected("1B", 24, "media/takes/animatic2.mp4"),
        Expected("1C", 60, None, placeholder=True),
        Expected("2", 24, "media/takes/gone.mp4"),
        Expected("2B", 24, "media/takes/hard.mp4"),
    ]
    return project, expected


def save(project: Project, folder: Path) -> None:
    """Through core.storage when it is there; otherwise the same JSON document it writes."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from shotplanner.core.storage import save_project
    except ImportError:
        (folder / "project.json").write_text(project.model_dump_json(indent=2), encoding="utf-8")
        return
    save_project(project, folder)


def load(folder: Path) -> Project:
    try:
        from shotplanner.core.storage import load_project
    except ImportError:
        return Project.model_validate_json((folder / "project.json").read_text(encoding="utf-8"))
    return load_project(folder)

