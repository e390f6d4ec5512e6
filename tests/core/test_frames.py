"""What a frame request carries: the still's prompt, the cast's looks, the location, the start frame."""

from __future__ import annotations

from shotplanner.core.frame_models import FrameModelError, frame_model
from shotplanner.core.frames import (
    character_look,
    find_scene,
    frame_prompt,
    frame_references,
    frame_spec,
    previous_clip,
    sync_frame_start,
)
from shotplanner.core.models import (
    Angle,
    Character,
    ImageRef,
    JobState,
    Movement,
    Project,
    PromptLayers,
    Scene,
    Shot,
    ShotSize,
    Take,
)
from shotplanner.core.storyboard import Storyboard


def frame(path: str, *, circled: bool = False) -> Take:
    return Take(kind="frame", model_id="local-frame", provider="local", state=JobState.DONE, clip=path,
                circled=circled)


def clip(path: str, *, circled: bool = False) -> Take:
    return Take(model_id="kling-v3", provider="fal", state=JobState.DONE, clip=path, circled=circled)


def film() -> Project:
    mara = Character(id="mara", name="Mara", description="grey wool coat, dark hair tied back",
                     reference_images=["media/refs/mara.png"])
    tomas = Character(id="tomas", name="Tomas", description="yellow oilskin",
                      reference_images=["media/refs/tomas.png"])
    hall = Shot(id="hall", number="1", size=ShotSize.EWS,
                layers=PromptLayers(subject="an empty station hall"),
                reference_images=[ImageRef(path="media/refs/hall.png")])
    walk = Shot(id="walk", number="1A", size=ShotSize.WS, character_ids=["mara"],
                layers=PromptLayers(subject="Mara walks away"))
    face = Shot(id="face", number="1B", size=ShotSize.CU, angle=Angle.LOW, lens_mm=85,
                movement=Movement.PUSH_IN, aspect="2.39:1", character_ids=["mara"],
                layers=PromptLayers(subject="Mara's face", action="she lifts her eyes",
                                    environment="the hall", camera="slow push-in",
                                    light="hard cold top light", mood="resigned"))
    boat = Shot(id="boat", number="2", character_ids=["tomas", "mara"],
                layers=PromptLayers(subject="the boat"))
    return Project(characters=[mara, tomas], scenes=[
        Scene(id="s1", number="1", shots=[hall, walk, face]), Scene(id="s2", number="2", shots=[boat])])


def test_the_prompt_is_a_still_framed_and_lit_as_the_shot_says() -> None:
    project = film()
    face = project.find_shot("face")
    assert face is not None
    prompt = frame_prompt(face, project)
    for words in ("one cinematic still", "Mara (grey wool coat, dark hair tied back)'s face",
                  "she lifts her eyes", "the hall", "close-up", "low angle looking up", "85mm lens",
                  "2.39:1 frame",
                  "framed as the camera starts: slow push-in", "hard cold top light", "resigned"):
        assert words.lower() in prompt.lower(), words
    assert "fps" not in prompt  # a still has no frame rate


def test_a_characters_look_is_its_sheet_plus_the_frames_circled_in_its_shots() -> None:
    project = film()
    walk, face = project.find_shot("walk"), project.find_shot("face")
    assert walk is not None and face is not None
    walk.takes.append(frame("media/frames/walk-a.png"))  # not circled: not part of the look
    walk.takes.append(frame("media/frames/walk-b.png", circled=True))
    look = character_look(project, "mara")
    assert [r.path for r in look] == ["media/refs/mara.png", "media/frames/walk-b.png"]
    assert look[1].why == "Mara in shot 1A (circled frame)"
    # Passed to every frame Mara is in, in other scenes too, never to the shot whose frame it is.
    boat = project.find_shot("boat")
    assert boat is not None
    assert "media/frames/walk-b.png" in [r.path for r in frame_references(boat, project)]
    assert "media/frames/walk-b.png" not in [r.path for r in frame_references(walk, project)]


def test_framing_the_scene_gives_every_shot_the_same_location_and_its_cast() -> None:
    project = film()
    hall = project.find_shot("hall")
    assert hall is not None
    hall.takes.append(frame("media/frames/hall.png", circled=True))
    scene = find_scene(project, "1")
    assert scene is not None and find_scene(project, "9") is None
    specs = {s.number: frame_spec(s, project) for s in scene.shots}
    location = ["media/frames/hall.png", "media/refs/hall.png"]
    assert list(specs["1A"].reference_paths) == ["media/refs/mara.png", *location]
    assert list(specs["1B"].reference_paths) == ["media/refs/mara.png", *location]
    # The establishing shot's own frame and image are not its own location reference.
    assert list(specs["1"].reference_paths) == ["media/refs/hall.png"]
    assert "image 1 is Mara's reference sheet; image 2 is the location, from shot 1 (circled frame)" \
        in specs["1A"].prompt


def test_a_cap_on_references_keeps_every_characters_sheet_first() -> None:
    project = film()
    walk = project.find_shot("walk")
    assert walk is not None
    walk.takes.append(frame("media/frames/walk.png", circled=True))
    boat = project.find_shot("boat")
    assert boat is not None
    # Tomas's sheet, Mara's sheet, Mara's 1A frame: with room for two, both sheets stay.
    capped = frame_references(boat, project, limit=2)
    assert [r.path for r in capped] == ["media/refs/tomas.png", "media/refs/mara.png"]
    assert frame_spec(boat, project, max_references=0).references == ()


def test_the_circled_frame_becomes_the_start_image_and_leaves_when_uncircled() -> None:
    project = film()
    sb = Storyboard(project)
    face = project.find_shot("face")
    assert face is not None
    a, b = frame("media/frames/a.png"), frame("media/frames/b.png")
    take = clip("media/takes/c.mp4", circled=True)
    face.takes += [a, b, take]
    sb.circle_take("face", a.id)
    start = face.image_for("start")
    assert start is not None and start.path == "media/frames/a.png"
    assert start.label.startswith("storyboard frame")
    assert take.circled, "circling a frame leaves the circled clip alone"
    assert sb.circle_take("face", b.id) == a.id
    assert face.image_for("start").path == "media/frames/b.png"  # type: ignore[union-attr]
    assert [r.role for r in face.reference_images].count("start") == 1
    sb.circle_take("face", None, "frame")
    assert face.image_for("start") is None and take.circled
    # A start image the user chose is never replaced by a frame.
    face.reference_images = [ImageRef(path="media/refs/mine.png", role="start")]
    sb.circle_take("face", a.id)
    assert face.image_for("start").path == "media/refs/mine.png"  # type: ignore[union-attr]
    assert sync_frame_start(face) is False


def test_a_frame_is_never_the_cuts_clip() -> None:
    shot = Shot(takes=[frame("media/frames/a.png", circled=True)])
    assert shot.cut_take() is None and shot.circled_take is None and shot.latest_done_take is None
    assert shot.circled_frame is not None


def test_the_previous_shots_cut_take_can_start_the_next() -> None:
    project = film()
    walk = project.find_shot("walk")
    assert walk is not None
    walk.takes.append(clip("media/takes/walk.mp4"))
    found = previous_clip(project, "face")
    assert found is not None and found.clip == "media/takes/walk.mp4"
    assert previous_clip(project, "hall") is None
    assert previous_clip(project, "walk") is None  # the hall has no clip yet


def test_frame_models_and_their_prices() -> None:
    assert frame_model().id == "local-frame" and frame_model().price("local-frame") == 0.0
    nano = frame_model("nano-banana-2")
    assert nano.endpoint(with_references=True) == "fal-ai/nano-banana-2/edit"
    assert nano.price("fal-ai/nano-banana-2/edit") == 0.08 and nano.price("fal-ai/nano-banana-2") is None
    assert frame_model(provider="fal").provider == "fal"
    for bad in (lambda: frame_model("dall-e"), lambda: frame_model("nano-banana-2", "replicate")):
        try:
            bad()
        except FrameModelError:
            continue
        raise AssertionError("expected FrameModelError")
