"""The animatic's scratch track: what a previs editor lays under a shot that needs sound.

A shot that asks for sound gets a track so the cut carries it: a soft two-note tone under the caption
(after the slate's clap pip) and, when ``espeak-ng`` is installed (Debian's ``espeak-ng`` package,
offline), the shot's dialogue spoken over it. It is a guide for timing, never the final sound.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import wave
from dataclasses import dataclass, field

import numpy as np

from shotplanner.core.models import Shot
from shotplanner.media.encode import AUDIO_RATE

log = logging.getLogger(__name__)

#: The tone under the caption: quiet, so spoken dialogue stays on top.
TONE_HZ = (220.0, 330.0)
TONE_LEVEL = 0.12
#: The pip at the slate's clap (frame 0), as on a real slate's sync beep.
PIP_HZ = 1000.0
PIP_S = 0.08
#: A speech engine that hangs must not hold a render for long.
SPEECH_TIMEOUT_S = 20.0


@dataclass(slots=True)
class ScratchTrack:
    samples: np.ndarray  # mono float32 at AUDIO_RATE
    spoken: bool
    notes: list[str] = field(default_factory=list)


def speech_engine() -> str | None:
    """The path of ``espeak-ng`` when it is installed."""
    return shutil.which("espeak-ng")


def spoken_lines(dialogue: str) -> str:
    """What to say: the lines without their speaker cues (``ANNOUNCER (V.O.):`` and the like)."""
    out = []
    for line in dialogue.splitlines():
        line = re.sub(r"^\s*[A-Z][A-Z0-9 .'\-]*(\([^)]*\))?\s*:\s*", "", line).strip()
        line = re.sub(r"\([^)]*\)", "", line).strip()  # parentheticals are directions, not words
        if line:
            out.append(line)
    return " ".join(out)


def speak(text: str, engine: str) -> np.ndarray:
    """``text`` spoken by ``engine`` (espeak-ng) as mono float samples at AUDIO_RATE."""
    done = subprocess.run([engine, "--stdout", "-s", "165", "--", text], capture_output=True,
                          timeout=SPEECH_TIMEOUT_S, check=True)
    with wave.open(io.BytesIO(done.stdout)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"espeak-ng wrote {8 * width}-bit samples; 16-bit expected")
    pcm = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    if rate == AUDIO_RATE or len(pcm) == 0:
        return np.asarray(pcm, np.float32)
    # Linear resampling is plenty for a guide voice.
    t_out = np.arange(round(len(pcm) * AUDIO_RATE / rate)) / AUDIO_RATE
    voice: np.ndarray = np.interp(t_out, np.arange(len(pcm)) / rate, pcm).astype(np.float32)
    return voice


def scratch_track(shot: Shot, duration_s: float, slate_s: float) -> ScratchTrack:
    """The scratch track of ``shot``: pip at 0, tone from the end of the slate, dialogue when possible."""
    n = max(1, round(duration_s * AUDIO_RATE))
    t = np.arange(n, dtype=np.float32) / AUDIO_RATE
    samples = np.zeros(n, np.float32)
    pip = t < PIP_S
    samples[pip] = 0.5 * np.sin(2 * np.pi * PIP_HZ * t[pip])
    start = min(slate_s, duration_s * 0.5)
    under = t >= start
    tone = sum(np.sin(2 * np.pi * hz * t) for hz in TONE_HZ) / len(TONE_HZ)
    # Fade in and out over 0.2 s so the tone starts and stops without a click.
    fade = np.clip(np.minimum(t - start, duration_s - t) / 0.2, 0.0, 1.0)
    samples[under] += (TONE_LEVEL * tone * fade)[under]
    track = ScratchTrack(samples, spoken=False, notes=["scratch track: a guide tone (not the final sound)"])
    text = spoken_lines(shot.dialogue)
    engine = speech_engine()
    if not text:
        return track
    if engine is None:
        track.notes.append("the dialogue is not spoken: install espeak-ng for a spoken scratch track")
        return track
    try:
        voice = speak(text, engine)
    except (OSError, subprocess.SubprocessError, ValueError, wave.Error) as exc:
        log.warning("espeak-ng failed: %s", exc)
        track.notes.append(f"the dialogue is not spoken: espeak-ng failed ({exc})")
        return track
    at = round(start * AUDIO_RATE)
    room = max(0, n - at)
    if len(voice) > room:
        track.notes.append("the spoken dialogue is longer than the shot and is cut at its end")
    voice = voice[:room]
    samples[at:at + len(voice)] += 0.8 * voice
    track.spoken = bool(len(voice))
    track.notes[0] = "scratch track: the dialogue spoken by espeak-ng over a guide tone (not the final sound)"
    return track
