"""The film plan as data: project, scenes, shots, prompt layers, characters and takes.

Everything here is plain pydantic v2 and serialises to ``project.json``. Paths inside the
document (reference images, clips, posters) are relative to the project folder so a project
can be moved or zipped. Nothing here knows about Qt or the network.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shotplanner.core.heading import parse_heading

#: Bumped whenever the on-disk shape changes; ``core.storage`` migrates older files up to it.
SCHEMA_VERSION = 1

#: A duration longer than this is a typo, not a shot (validation says so before anything renders).
MAX_SHOT_SECONDS = 600.0


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def utcnow() -> datetime:
    return datetime.now(UTC)


class ShotSize(StrEnum):
    EWS = "EWS"
    WS = "WS"
    MS = "MS"
    MCU = "MCU"
    CU = "CU"
    ECU = "ECU"
    INSERT = "insert"
    OTS = "OTS"

    @property
    def label(self) -> str:
        return SHOT_SIZE_LABELS[self]

    @property
    def is_wide(self) -> bool:
        return self in (ShotSize.EWS, ShotSize.WS)

    @property
    def is_close(self) -> bool:
        return self in (ShotSize.MCU, ShotSize.CU, ShotSize.ECU)


SHOT_SIZE_LABELS: dict[ShotSize, str] = {
    ShotSize.EWS: "Extreme wide",
    ShotSize.WS: "Wide",
    ShotSize.MS: "Medium",
    ShotSize.MCU: "Medium close-up",
    ShotSize.CU: "Close-up",
    ShotSize.ECU: "Extreme close-up",
    ShotSize.INSERT: "Insert",
    ShotSize.OTS: "Over the shoulder",
}


class Angle(StrEnum):
    EYE_LEVEL = "eye level"
    HIGH = "high"
    LOW = "low"
    OVERHEAD = "overhead"
    AERIAL = "aerial"
    DUTCH = "dutch"
    POV = "POV"


class Movement(StrEnum):
    STATIC = "static"
    PUSH_IN = "push-in"
    PULL_BACK = "pull-back"
    PAN_LEFT = "pan left"
    PAN_RIGHT = "pan right"
    TILT_UP = "tilt up"
    TILT_DOWN = "tilt down"
    CRANE_UP = "crane up"
    CRANE_DOWN = "crane down"
    TRACKING = "tracking"
    ORBIT = "orbit"
    HANDHELD = "handheld"


class Quality(StrEnum):
    """What the user wants from a generation: a quick draft or a take for the cut."""

    DRAFT = "draft"
    FINAL = "final"


AspectRatio = Literal["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "2.39:1", "1.85:1"]
Resolution = Literal["480p", "540p", "720p", "768p", "1080p", "1440p", "2k", "4k"]
ImageRole = Literal["start", "end", "reference"]

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "2.39:1", "1.85:1")
#: Frame rates crews shoot and deliver at; 23.976, 29.97 and 59.94 are the NTSC rates (x 1000/1001).
FRAME_RATES: tuple[float, ...] = (23.976, 24.0, 25.0, 29.97, 30.0, 48.0, 50.0, 59.94, 60.0)
NTSC_RATES: tuple[float, ...] = (23.976, 29.97, 59.94)


def is_ntsc(fps: float) -> bool:
    """True for 23.976/29.97/59.94 (and their exact 24000/1001-style values)."""
    return any(abs(fps - rate) < 0.01 for rate in NTSC_RATES)


@lru_cache(maxsize=64)  # called per clip by every exporter; a Fraction is immutable, so one is shared
def fps_fraction(fps: float) -> Fraction:
    """The exact rate: 24000/1001 for 23.976, 24 for 24 (timelines and encoders need the fraction)."""
    if is_ntsc(fps):
        return Fraction(round(fps * 1.001) * 1000, 1001)
    return Fraction(fps).limit_denominator(1000)


def fps_label(fps: float) -> str:
    """``24``, ``23.976``: how a frame rate is written on a slate or in a prompt."""
    return f"{fps:g}"
RESOLUTIONS: tuple[str, ...] = ("480p", "540p", "720p", "768p", "1080p", "1440p", "2k", "4k")
#: Vertical pixel count of each resolution name, for comparisons ("at least 1080p").
RESOLUTION_LINES: dict[str, int] = {
    "480p": 480, "540p": 540, "720p": 720, "768p": 768, "1080p": 1080,
    "1440p": 1440, "2k": 1440, "4k": 2160,
}
LAYER_NAMES: tuple[str, ...] = ("subject", "action", "environment", "camera", "light", "mood")

#: The embedded previs backend: renders an animatic clip offline, needs no key, costs nothing.
LOCAL_PROVIDER = "local"
LOCAL_MODEL_ID = "local-animatic"


class Model(BaseModel):
    """Base for every document model: unknown keys are kept out, assignment is validated."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True, use_enum_values=False)


class PromptLayers(Model):
    subject: str = ""
    action: str = ""
    environment: str = ""
    camera: str = ""
    light: str = ""
    mood: str = ""

    def items(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in LAYER_NAMES]


class ImageRef(Model):
    path: str  # relative to the project folder, e.g. "media/refs/ab12.png"
    role: ImageRole = "reference"
    #: The file name the user chose (shown in the form); ``path`` may be a content-addressed copy.
    label: str = ""


class Character(Model):
    id: str = Field(default_factory=new_id)
    name: str
    description: str = ""
    reference_images: list[str] = Field(default_factory=list)


class JobState(StrEnum):
    QUEUED = "queued"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    RUNNING = "running"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"
    CANCELED = "canceled"
    #: A submit was sent but no answer came back: it may or may not exist (and bill) remotely.
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELED, JobState.UNKNOWN)

    @property
    def is_active(self) -> bool:
        return not self.is_terminal


class ReviewChecklist(Model):
    """The article's review questions; ``None`` means not answered yet."""

    camera_as_directed: bool | None = None
    physics_natural: bool | None = None
    lighting_held: bool | None = None
    coherent_to_end: bool | None = None
    #: A storyboard frame's own questions.
    framing_as_planned: bool | None = None
    light_as_described: bool | None = None
    likeness_held: bool | None = None


REVIEW_QUESTIONS: dict[str, str] = {
    "camera_as_directed": "Did the camera move as directed?",
    "physics_natural": "Do water, fabric, smoke and hair behave naturally throughout?",
    "lighting_held": "Did the lighting hold to what was described, without drifting?",
    "coherent_to_end": "Does the motion stay coherent to the last second?",
}
#: A still has no motion to judge: its review asks about framing, light and the cast's likeness.
FRAME_REVIEW_QUESTIONS: dict[str, str] = {
    "framing_as_planned": "Is it framed as planned (size, angle, lens, aspect)?",
    "light_as_described": "Is the light what was described (direction, quality, colour)?",
    "likeness_held": "Do the characters look like their reference sheets?",
}


TakeKind = Literal["clip", "frame"]


class Take(Model):
    """One generation of a shot, like a line on a camera report."""

    id: str = Field(default_factory=new_id)
    #: ``clip`` is a video take; ``frame`` a storyboard still (``clip`` then holds the image's path).
    kind: TakeKind = "clip"
    created_at: datetime = Field(default_factory=utcnow)
    model_id: str
    provider: str
    provider_model: str = ""
    #: Snapshot of what was asked, so later edits to the shot never rewrite history.
    prompt: str = ""
    settings: dict[str, object] = Field(default_factory=dict)
    state: JobState = JobState.QUEUED
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    remote_id: str | None = None
    #: Our own id sent to providers that can look a task up by it (Kling ``external_task_id``).
    external_id: str | None = None
    message: str = ""
    retryable: bool = False
    submitted_at: datetime | None = None
    finished_at: datetime | None = None
    cost_estimate_usd: float | None = None
    cost_usd: float | None = None
    clip: str | None = None  # relative path of the downloaded MP4
    poster: str | None = None
    checklist: ReviewChecklist = Field(default_factory=ReviewChecklist)
    rating: int = Field(default=0, ge=0, le=5)
    note: str = ""
    circled: bool = False
    ng: bool = False


class Shot(Model):
    id: str = Field(default_factory=new_id)
    number: str = ""
    layers: PromptLayers = Field(default_factory=PromptLayers)
    size: ShotSize = ShotSize.MS
    angle: Angle = Angle.EYE_LEVEL
    movement: Movement = Movement.STATIC
    lens_mm: int | None = Field(default=None, ge=4, le=1200)
    duration_s: float = Field(default=5.0, ge=0.0, le=3600.0)
    aspect: AspectRatio = "16:9"
    resolution: Resolution = "1080p"
    fps: float = Field(default=24.0, ge=1, le=120)
    audio: bool = False
    quality: Quality = Quality.FINAL
    reference_images: list[ImageRef] = Field(default_factory=list)
    character_ids: list[str] = Field(default_factory=list)
    notes: str = ""
    dialogue: str = ""
    #: The model the user chose; ``None`` follows the recommender's first choice.
    model_id: str | None = None
    #: A segment of a split long shot: the id of the segment before it, whose last frame is this one's
    #: first (``core.split``). ``None`` for an ordinary shot.
    chain_from: str | None = None
    takes: list[Take] = Field(default_factory=list)

    @property
    def circled_take(self) -> Take | None:
        return next((t for t in self.takes if t.circled and t.clip and t.kind == "clip"), None)

    @property
    def circled_frame(self) -> Take | None:
        """The storyboard still the director chose (a frame take); clips and frames are circled apart."""
        return next((t for t in self.takes if t.circled and t.clip and t.kind == "frame"), None)

    @property
    def latest_done_take(self) -> Take | None:
        done = [t for t in self.takes if t.state is JobState.DONE and t.clip and t.kind == "clip"]
        return done[-1] if done else None

    @property
    def animatic_take(self) -> Take | None:
        done = [t for t in self.takes if t.state is JobState.DONE and t.clip and t.provider == LOCAL_PROVIDER
                and t.kind == "clip"]
        return done[-1] if done else None

    def cut_take(self) -> Take | None:
        """The take the cut uses: the circled one, else the newest generated one, else the animatic."""
        if self.circled_take is not None:
            return self.circled_take
        generated = [
            t for t in self.takes
            if t.state is JobState.DONE and t.clip and t.provider != LOCAL_PROVIDER and t.kind == "clip"
        ]
        if generated:
            return generated[-1]
        return self.animatic_take

    def image_for(self, role: ImageRole) -> ImageRef | None:
        return next((r for r in self.reference_images if r.role == role), None)


class Scene(Model):
    id: str = Field(default_factory=new_id)
    number: str = "1"
    #: The heading as written (``INT. KITCHEN - NIGHT``); the three parts below are derived from it.
    heading: str = ""
    int_ext: str = ""
    location: str = ""
    time_of_day: str = ""
    description: str = ""
    shots: list[Shot] = Field(default_factory=list)

    @model_validator(mode="after")
    def _derive_heading_parts(self) -> Scene:
        # The heading is the one truth; the parts are stored too so a reader of project.json sees them.
        parts = parse_heading(self.heading)
        for name, value in zip(("int_ext", "location", "time_of_day"), parts, strict=True):
            if self.__dict__.get(name) != value:
                object.__setattr__(self, name, value)
        return self


class Project(Model):
    schema_version: int = SCHEMA_VERSION
    title: str = "Untitled film"
    #: Title-page fields, as a screenplay's title page carries them.
    author: str = ""
    credit: str = ""
    draft_date: str = ""
    fps: float = Field(default=24.0, ge=1, le=120)
    aspect: AspectRatio = "16:9"
    resolution: Resolution = "1080p"
    characters: list[Character] = Field(default_factory=list)
    scenes: list[Scene] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)
    modified_at: datetime = Field(default_factory=utcnow)

    def all_shots(self) -> list[Shot]:
        return [shot for scene in self.scenes for shot in scene.shots]

    def character(self, character_id: str) -> Character | None:
        return next((c for c in self.characters if c.id == character_id), None)

    def scene_of(self, shot_id: str) -> Scene | None:
        for scene in self.scenes:
            if any(s.id == shot_id for s in scene.shots):
                return scene
        return None

    def find_shot(self, shot_id: str) -> Shot | None:
        for scene in self.scenes:
            for shot in scene.shots:
                if shot.id == shot_id:
                    return shot
        return None

    def find_by_number(self, number: str) -> Shot | None:
        return next((s for s in self.all_shots() if s.number == number), None)

    def shots_with_character(self, character_id: str) -> list[Shot]:
        return [s for s in self.all_shots() if character_id in s.character_ids]
