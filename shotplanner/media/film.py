"""The whole-film animatic: every shot in storyboard order, one size, one frame rate, one MP4.

Each shot contributes the take the cut uses (``Shot.cut_take()``: circled, else newest generated, else
its animatic); a shot with none is rendered as an animatic on the fly. Clips of another size or aspect
are letterboxed, clips of another frame rate are retimed by picking the frame shown at each output tick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import av
import numpy as np

from shotplanner.core.models import Project, Shot, fps_fraction
from shotplanner.media.animatic import AnimaticRenderer, _cancelled, _even, aspect_parts, validate_shot
from shotplanner.media.encode import ClipWriter
from shotplanner.media.errors import InvalidShot, MediaError, RenderCanceled
from shotplanner.media.probe import probe


def fit(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The largest even size with the source's aspect that fits inside the box."""
    scale = min(box_w / src_w, box_h / src_h)
    return min(box_w, _even(src_w * scale)), min(box_h, _even(src_h * scale))


def _clip_frames(path: Path, fps: float, count: int, size: tuple[int, int]) -> Iterator[np.ndarray]:
    """``count`` RGB frames of ``path`` at ``fps`` (held or dropped to retime), scaled to ``size``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        decoded = container.decode(stream)
        current = next(decoded, None)
        if current is None:
            raise MediaError(f"{path.name} holds no readable video frames")
        start = current.time or 0.0
        upcoming = next(decoded, None)
        image = current.to_ndarray(width=size[0], height=size[1], format="rgb24")
        for j in range(count):
            t = start + j / fps
            changed = False
            # Advance while the next source frame is already due at this output tick.
            while upcoming is not None and (upcoming.time or 0.0) <= t + 1e-6:
                current, upcoming, changed = upcoming, next(decoded, None), True
            if changed:
                image = current.to_ndarray(width=size[0], height=size[1], format="rgb24")
            yield image


def _animatic_frames(renderer: AnimaticRenderer) -> Iterator[np.ndarray]:
    for i in range(renderer.frame_count):
        renderer.render(i)
        yield renderer.array()[:, :, 2::-1]  # BGRA → RGB view


def render_film(project: Project, project_dir: Path, out_path: Path, *, width: int = 1280,
                progress: Callable[[float], None] | None = None, cancel: object | None = None,
                notes: list[str] | None = None) -> Path:
    """Concatenate the cut into ``out_path`` at ``width`` (height from the project's aspect) and its fps.

    Shots that cannot be rendered (no duration) are left out and named in ``notes`` when given.
    """
    project_dir = Path(project_dir)
    aw, ah = aspect_parts(project.aspect)
    out_w = _even(width)
    out_h = _even(out_w * ah / aw)
    rate = fps_fraction(project.fps)
    fps = float(rate)
    notes = notes if notes is not None else []
    plan: list[tuple[Shot, Path | None, int]] = []
    for shot in project.all_shots():
        take = shot.cut_take()
        clip = project_dir / take.clip if take is not None and take.clip else None
        if clip is not None:
            try:
                info = probe(clip)
                count = round(info.frames / info.fps * fps) if info.fps else info.frames
                plan.append((shot, clip, max(1, count)))
                continue
            except MediaError as exc:
                notes.append(f"shot {shot.number or shot.id}: {exc}; its animatic was used instead")
        try:
            validate_shot(shot, fps)
        except InvalidShot as exc:
            notes.append(f"shot {shot.number or shot.id} left out: {exc}")
            continue
        plan.append((shot, None, round(float(shot.duration_s) * fps)))
    if not plan:
        raise MediaError("the film has no shot that can be shown: add shots with a duration")
    total = sum(n for _, _, n in plan)
    done = 0
    canvas = np.zeros((out_h, out_w, 3), np.uint8)
    with ClipWriter(Path(out_path), out_w, out_h, rate) as writer:
        for shot, clip, count in plan:
            if clip is not None:
                info = probe(clip)
                size = fit(info.width, info.height, out_w, out_h)
                frames: Iterator[np.ndarray] = _clip_frames(clip, fps, count, size)
            else:
                sw, sh = aspect_parts(shot.aspect)
                size = fit(round(sw * 1000), round(sh * 1000), out_w, out_h)
                frames = _animatic_frames(AnimaticRenderer(shot, project, project_dir, size=size, fps=fps))
            x0, y0 = (out_w - size[0]) // 2, (out_h - size[1]) // 2
            canvas[:] = 0
            for image in frames:
                if _cancelled(cancel):
                    raise RenderCanceled("film render canceled")
                canvas[y0:y0 + size[1], x0:x0 + size[0]] = image
                writer.write_array(canvas, "rgb24")
                done += 1
                if progress is not None and done % max(1, round(fps)) == 0:
                    progress(done / total)
        path = writer.finish()
    if progress is not None:
        progress(1.0)
    return path
