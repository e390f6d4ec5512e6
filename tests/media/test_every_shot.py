"""The animatic stands in for every shot: above 1080p, with sound, at NTSC rates and cinema aspects.

Each clip is decoded back with PyAV (picture and sound); the local model is checked with the same
``check_shot`` the planner uses, so a shot the animatic can render is never skipped.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from shotplanner.core.catalog import load_catalog
from shotplanner.core.models import LOCAL_MODEL_ID
from shotplanner.core.validation import check_shot
from shotplanner.media.animatic import AnimaticRenderer, output_size, render_animatic
from shotplanner.media.encode import AUDIO_RATE
from shotplanner.media.scratch import PIP_HZ, spoken_lines
from tests.media.clips import SMALL, make_shot, project_with


def _audio(path: Path) -> tuple[np.ndarray, int, str]:
    with av.open(str(path)) as container:
        assert container.streams.audio, "the clip has no sound track"
        stream = container.streams.audio[0]
        name = stream.codec_context.name
        chunks = [f.to_ndarray().reshape(-1) for f in container.decode(stream)]
    return np.concatenate(chunks).astype(np.float64), stream.rate, name


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


def test_local_model_takes_4k_sound_ntsc_and_cinema_aspects() -> None:
    local = load_catalog().get(LOCAL_MODEL_ID)
    for fields in ({"resolution": "4k"}, {"audio": True}, {"fps": 23.976}, {"fps": 29.97},
                   {"aspect": "2.39:1"}, {"aspect": "1.85:1"}):
        shot = make_shot(**fields)  # type: ignore[arg-type]
        assert check_shot(shot, local) == [], fields


def test_4k_renders_at_1080p_and_the_slate_says_so(tmp_path: Path) -> None:
    assert output_size("16:9", "4k")[:2] == (1920, 1080)
    shot = make_shot(resolution="4k", duration=0.5)
    renderer = AnimaticRenderer(shot, project_with(shot))
    assert (renderer.width, renderer.height) == (1920, 1080)
    assert "1080p (4k asked)" in renderer.slate_info.duration
    assert any("at most 1080p" in n for n in renderer.notes)


def test_cinema_aspects_have_their_shape() -> None:
    assert output_size("2.39:1", "1080p")[:2] == (2582, 1080)
    assert output_size("1.85:1", "720p")[:2] == (1332, 720)


@pytest.mark.parametrize(("fps", "exact"), [(23.976, Fraction(24000, 1001)), (29.97, Fraction(30000, 1001)),
                                            (59.94, Fraction(60000, 1001))])
def test_fractional_rates_are_encoded_exactly(tmp_path: Path, fps: float, exact: Fraction) -> None:
    shot = make_shot(duration=2.0, fps=fps)  # type: ignore[arg-type]
    out = tmp_path / "ntsc.mp4"
    result = render_animatic(shot, project_with(shot), tmp_path, out, size=SMALL)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == exact
        frames = list(container.decode(stream))
    assert len(frames) == result.frames == round(2.0 * exact)
    # The last frame sits where an editor expects it at the exact rate, not at the whole-number one.
    assert frames[-1].time == pytest.approx((len(frames) - 1) / float(exact), abs=1e-3)
    assert "23.976" in AnimaticRenderer(make_shot(fps=23.976), None, size=SMALL).slate_info.duration


def test_shot_that_needs_sound_gets_a_scratch_tone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shotplanner.media.scratch.speech_engine", lambda: None)
    shot = make_shot(duration=2.0, audio=True, dialogue="MAYA: Where is the train?")
    out = tmp_path / "sound.mp4"
    result = render_animatic(shot, project_with(shot), tmp_path, out, size=SMALL)
    samples, rate, codec = _audio(out)
    assert codec == "aac" and rate == AUDIO_RATE
    assert len(samples) == pytest.approx(2.0 * rate, abs=2048)
    slate_end = int(1.0 * rate)  # the slate holds the first second at 24 fps
    # The clap pip at frame 0, near-silence until the slate goes, then the tone under the caption.
    pip = samples[:int(0.07 * rate)]
    spectrum = np.abs(np.fft.rfft(pip))
    assert np.fft.rfftfreq(len(pip), 1 / rate)[spectrum.argmax()] == pytest.approx(PIP_HZ, abs=30)
    assert _rms(samples[int(0.3 * rate):int(0.9 * rate)]) < 0.01
    assert _rms(samples[slate_end + int(0.3 * rate):int(1.7 * rate)]) > 0.05
    assert result.audio and any("espeak-ng" in n for n in result.notes)


def test_silent_shot_has_no_track(tmp_path: Path) -> None:
    shot = make_shot(duration=0.5)
    out = tmp_path / "silent.mp4"
    render_animatic(shot, project_with(shot), tmp_path, out, size=SMALL)
    with av.open(str(out)) as container:
        assert not container.streams.audio


def test_speaker_cues_are_not_spoken() -> None:
    assert spoken_lines("ANNOUNCER (V.O.): The four-ten will depart.\n(beat)\nMAYA: Go.") == (
        "The four-ten will depart. Go.")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_dialogue_is_spoken_by_espeak(tmp_path: Path) -> None:
    silent = make_shot(duration=4.0, audio=True)
    talking = make_shot(duration=4.0, audio=True,
                        dialogue="ANNOUNCER: The four-ten to the coast will depart.")
    out_a, out_b = tmp_path / "tone.mp4", tmp_path / "voice.mp4"
    render_animatic(silent, project_with(silent), tmp_path, out_a, size=SMALL)
    result = render_animatic(talking, project_with(talking), tmp_path, out_b, size=SMALL)
    tone, rate, _ = _audio(out_a)
    voice, _, _ = _audio(out_b)
    window = slice(int(1.2 * rate), int(3.5 * rate))
    # The same tone is under both (decoded alike); what is left after taking it away is the voice.
    residual = voice[window] - tone[window]
    assert _rms(residual) > 0.03
    spectrum = np.abs(np.fft.rfft(residual))
    freqs = np.fft.rfftfreq(len(residual), 1 / rate)
    band = spectrum[(freqs > 400) & (freqs < 4000)].sum() / spectrum.sum()
    assert band > 0.3  # a voice's formants, not the 220/330 Hz tone
    assert any("spoken by espeak-ng" in n for n in result.notes)
