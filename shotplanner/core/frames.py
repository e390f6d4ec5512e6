"""What a storyboard frame request carries: the still's prompt and the images that keep the cast consistent.

A frame is a take of kind ``"frame"`` (its image path in ``Take.clip``). This module decides, without Qt or
the network, what each frame is asked from:

- the prompt, from the shot's layers (subject, action, environment, camera, light, mood) and crew fields
  (size, angle, lens, aspect) — a still, so no motion words and no frame rate;
- the references: the shot's own images, then each character's *look* (its reference sheet plus the
  circled frames of the other shots it appears in), then the scene's location references (the circled
  frames and images of the scene's shots without characters: the establishing shots). "Frame the scene"
  sends every shot of a scene with the same cast and location references;
- the circled frame becomes the shot's start image (role ``"start"``), so the recommender can pick an
  image-to-video route and the clip request carries it (``sync_frame_start``, called by the storyboard
  when a frame is circled);
- continuity across a cut: the previous shot's cut take, whose last frame can start this one
  (``previous_clip``; the extraction itself is ``media.frame.extract_last_frame``).
"""

from __future__ import annotations

from dataclasses import dataclass

from shotplanner.core.models import (
    ImageRef,
    JobState,
    Project,
    Scene,
    Shot,
    Take,
)
from shotplanner.core.prompt import ANGLE_WORDS, SIZE_WORDS, _subject_with_cast, character_phrases

#: Where a project keeps its storyboard frames (relative to the project folder).
FRAMES_DIR = "media/frames"
#: The label a frame-derived start image carries in the form (``ImageRef.label``).
FRAME_LABEL_PREFIX = "storyboard frame"

_STILL = ("Storyboard frame: one cinematic still, the first moment of the shot; photographic, no text, "
          "no captions, no borders")


@dataclass(frozen=True, slots=True)
class FrameReference:
    """One image sent with a frame request and why (shown before sending, written into the prompt)."""

    path: str  # relative to the project folder
    why: str  # "Mara's reference sheet", "Mara in shot 1A (circled frame)", "location: shot 1"
    character_id: str | None = None


@dataclass(frozen=True, slots=True)
class FrameSpec:
    """Everything one frame request needs, before a model and route are chosen."""

    shot_id: str
    prompt: str
    aspect: str
    resolution: str
    references: tuple[FrameReference, ...] = ()

    @property
    def reference_paths(self) -> tuple[str, ...]:
        return tuple(r.path for r in self.references)


# ------------------------------------------------------------------------------------------ frames


def frame_takes(shot: Shot) -> list[Take]:
    """The shot's finished storyboard frames, oldest first."""
    return [t for t in shot.takes if t.kind == "frame" and t.state is JobState.DONE and t.clip]


def storyboard_picture(shot: Shot) -> str | None:
    """The one picture that stands for the shot on a card, in the table, the PDF and the exports.

    The circled frame (the director's choice), else the cut take's poster, else the newest frame, else the
    first reference image; None when the shot has none of these. Paths are relative to the project.
    """
    circled = shot.circled_frame
    if circled is not None and circled.clip:
        return circled.clip
    take = shot.cut_take()
    if take is not None and take.poster:
        return take.poster
    frames = frame_takes(shot)
    if frames and frames[-1].clip:
        return frames[-1].clip
    return shot.reference_images[0].path if shot.reference_images else None


def is_frame_start(shot: Shot, ref: ImageRef) -> bool:
    """True when ``ref`` is a start image that one of the shot's own frames put there."""
    paths = {t.clip for t in shot.takes if t.kind == "frame" and t.clip}
    return ref.role == "start" and ref.path in paths


def sync_frame_start(shot: Shot) -> bool:
    """Make the circled frame the shot's start image; returns True when ``reference_images`` changed.

    A start image the user chose (not one of this shot's frames) is never replaced: the frame then stays
    a storyboard picture only. Uncircling the frame removes the start image it had set.
    """
    before = list(shot.reference_images)
    images = [r for r in before if not is_frame_start(shot, r)]
    circled = shot.circled_frame
    if circled is not None and circled.clip and not any(r.role == "start" for r in images):
        number = shot.takes.index(circled) + 1
        images.insert(0, ImageRef(path=circled.clip, role="start",
                                  label=f"{FRAME_LABEL_PREFIX} (take {number})"))
    if images == before:
        return False
    shot.reference_images = images
    return True


# ------------------------------------------------------------------------------------------ prompt


def _clean(text: str) -> str:
    return " ".join(text.split()).strip().rstrip(".,;: ")


def framing_words(shot: Shot) -> list[str]:
    """Size, angle, lens and aspect in words (a still has no movement and no frame rate)."""
    words = [SIZE_WORDS[shot.size]]
    if shot.angle.value != "eye level":
        words.append(ANGLE_WORDS[shot.angle])
    else:
        words.append("eye-level")
    if shot.lens_mm:
        words.append(f"{shot.lens_mm}mm lens")
    words.append(f"{shot.aspect} frame")
    return words


def frame_prompt(shot: Shot, project: Project | None, references: tuple[FrameReference, ...] = ()) -> str:
    """The still's prompt: what is seen, how it is framed and lit, and what each reference image is."""
    layers = shot.layers
    parts = [_STILL]
    subject = _subject_with_cast(_clean(layers.subject), character_phrases(shot, project))
    for text in (subject, _clean(layers.action), _clean(layers.environment)):
        if text:
            parts.append(text)
    framing = ", ".join(framing_words(shot))
    camera = _clean(layers.camera)
    parts.append(f"{framing}; framed as the camera starts: {camera}" if camera else framing)
    for text in (_clean(layers.light), _clean(layers.mood)):
        if text:
            parts.append(text)
    prompt = ". ".join(p[:1].upper() + p[1:] for p in parts) + "."
    if references:
        # Multi-reference edit models follow numbered image roles far better than an unexplained list.
        roles = "; ".join(f"image {i} is {r.why}" for i, r in enumerate(references, start=1))
        prompt += f" Reference images: {roles}. Keep each character's face, hair and costume as in their "
        prompt += "images; keep the location as in its images."
    return prompt


# ------------------------------------------------------------------------------------------ looks


def _label(shot: Shot) -> str:
    return shot.number or shot.id


class Looks:
    """Every character's look and every scene's location, gathered once for many frames.

    Planning a frame for each of 5,000 shots asks for the same looks thousands of times; walking the film
    for each would make a plan quadratic. Build one per plan (``Looks(project)``); it reads the project as
    it is then.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        #: character id → (the shot whose circled frame it is, or None for the sheet, the reference)
        self._looks: dict[str, list[tuple[str | None, FrameReference]]] = {}
        for character in project.characters:
            self._looks[character.id] = [(None, FrameReference(p, f"{character.name}'s reference sheet",
                                                               character.id))
                                         for p in character.reference_images]
        names = {c.id: c.name for c in project.characters}
        self._scene_of: dict[str, Scene] = {}
        self._locations: dict[str, list[tuple[str, FrameReference]]] = {}
        for scene in project.scenes:
            location = self._locations.setdefault(scene.id, [])
            for shot in scene.shots:
                self._scene_of[shot.id] = scene
                frame = shot.circled_frame
                for cid in dict.fromkeys(shot.character_ids):
                    if frame is not None and frame.clip and cid in self._looks:
                        why = f"{names[cid]} in shot {_label(shot)} (circled frame)"
                        self._looks[cid].append((shot.id, FrameReference(frame.clip, why, cid)))
                if shot.character_ids:
                    continue
                if frame is not None and frame.clip:
                    location.append((shot.id, FrameReference(
                        frame.clip, f"the location, from shot {_label(shot)} (circled frame)")))
                location.extend((shot.id, FrameReference(r.path, f"the location, from shot {_label(shot)}"))
                                for r in shot.reference_images if r.role == "reference")

    def look(self, character_id: str, exclude_shot: str | None = None) -> list[FrameReference]:
        """The sheet, then the circled frames of the shots it appears in (but ``exclude_shot``'s)."""
        return [ref for shot_id, ref in self._looks.get(character_id, ())
                if shot_id is None or shot_id != exclude_shot]

    def location(self, shot_id: str) -> list[FrameReference]:
        """The location references of ``shot_id``'s scene (establishing shots' frames and images)."""
        scene = self._scene_of.get(shot_id)
        if scene is None:
            return []
        return [ref for source, ref in self._locations.get(scene.id, ()) if source != shot_id]


def character_look(project: Project, character_id: str, *, exclude_shot: str | None = None
                   ) -> list[FrameReference]:
    """A character's look: its reference sheet, then the circled frames of the shots it appears in."""
    return Looks(project).look(character_id, exclude_shot)


def frame_references(shot: Shot, project: Project | None, *, limit: int | None = None,
                     looks: Looks | None = None) -> tuple[FrameReference, ...]:
    """The images one frame is asked from, most important first, without duplicates, at most ``limit``.

    The shot's own start/reference images come first (the user put them there), then each character's
    look, then the location. A frame of this very shot is never its own reference. ``looks``: an index
    built once when many frames are planned together.
    """
    own_frames = {t.clip for t in shot.takes if t.kind == "frame" and t.clip}
    refs: list[FrameReference] = [
        FrameReference(r.path, r.label or "the shot's own reference image")
        for r in shot.reference_images if r.path not in own_frames and r.role in ("start", "reference")]
    if project is not None:
        index = looks if looks is not None else Looks(project)
        for cid in shot.character_ids:
            refs.extend(index.look(cid, exclude_shot=shot.id))
        refs.extend(index.location(shot.id))
    seen: set[str] = set()
    unique = []
    for ref in refs:
        if ref.path not in seen and ref.path not in own_frames:
            seen.add(ref.path)
            unique.append(ref)
    if limit is not None:
        unique = fair_cut(unique, limit)
    return tuple(unique)


def fair_cut(refs: list[FrameReference], limit: int) -> list[FrameReference]:
    """Keep at most ``limit`` references, giving every character its sheet before anyone's extra frames."""
    if len(refs) <= limit:
        return refs
    first: list[FrameReference] = []
    rest: list[FrameReference] = []
    characters_seen: set[str | None] = set()
    for ref in refs:
        key = ref.character_id
        if key is None or key not in characters_seen:
            first.append(ref)
            characters_seen.add(key)
        else:
            rest.append(ref)
    kept = {id(r) for r in (first + rest)[:limit]}
    return [r for r in refs if id(r) in kept]


def frame_spec(shot: Shot, project: Project | None, *, max_references: int | None = None,
               looks: Looks | None = None) -> FrameSpec:
    """The request for one storyboard frame of ``shot``."""
    refs = frame_references(shot, project, limit=max_references, looks=looks) if max_references != 0 else ()
    return FrameSpec(shot_id=shot.id, prompt=frame_prompt(shot, project, refs), aspect=shot.aspect,
                     resolution=shot.resolution, references=refs)


def find_scene(project: Project, key: str) -> Scene | None:
    """A scene by its number (``"1"``) or its id: what "frame the scene" is asked with."""
    return next((s for s in project.scenes if s.number == key or s.id == key), None)


# ------------------------------------------------------------------------------------------ continuity


def previous_shot(project: Project, shot_id: str) -> Shot | None:
    """The shot before ``shot_id`` in film order (across scene breaks), if any."""
    shots = project.all_shots()
    index = next((i for i, s in enumerate(shots) if s.id == shot_id), -1)
    return shots[index - 1] if index > 0 else None


def previous_clip(project: Project, shot_id: str) -> Take | None:
    """The cut take of the previous shot: its last frame can start this shot (continuity across a cut)."""
    before = previous_shot(project, shot_id)
    if before is None:
        return None
    take = before.cut_take()
    return take if take is not None and take.kind == "clip" else None


def continuity_start_label(before: Shot) -> str:
    return f"last frame of shot {_label(before)}"

