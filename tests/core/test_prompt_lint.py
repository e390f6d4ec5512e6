"""Prompt composition, lint rules and the five templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shotplanner.core.catalog import load_catalog
from shotplanner.core.lint import lint_shot
from shotplanner.core.models import Angle, Character, Movement, Project, PromptLayers, Shot, ShotSize
from shotplanner.core.prompt import compose_prompt
from shotplanner.core.templates import TemplateError, load_templates

# The article's "strong prompt", split into its layers.
STRONG = PromptLayers(
    subject="A woman in her 30s",
    action="walks slowly through an empty train station at 4am, carrying a single suitcase",
    environment="reflections of station lights in the wet marble floor",
    camera="slow tracking shot from behind following at shoulder height",
    light="cold fluorescent overhead lighting creating isolated pools of white",
    mood="mood of quiet resolve",
)


def test_compose_orders_layers_and_adds_crew_words() -> None:
    shot = Shot(layers=STRONG, size=ShotSize.WS, lens_mm=35, angle=Angle.LOW, fps=24)
    prompt = compose_prompt(shot)
    order = [
        prompt.index(text)
        for text in (
            "A woman in her 30s",
            "walks slowly",
            "reflections of station",
            "wide shot",
            "low angle looking up",
            "35mm lens",
            "slow tracking shot",
            "cold fluorescent",
            "mood of quiet resolve",
            "24fps",
        )
    ]
    assert order == sorted(order)
    assert prompt.endswith("24fps.")
    # The camera layer already says how it moves: no contradicting "static camera" is added.
    assert "static" not in prompt


def test_compose_skips_empty_layers_and_never_repeats_what_the_camera_layer_says() -> None:
    shot = Shot(
        layers=PromptLayers(subject="a lighthouse", camera="close-up, 85mm lens, slow push-in"),
        size=ShotSize.CU,
        lens_mm=50,
        movement=Movement.PUSH_IN,
    )
    prompt = compose_prompt(shot)
    assert prompt == "A lighthouse, close-up, 85mm lens, slow push-in, 24fps."
    assert ", ," not in compose_prompt(Shot(layers=PromptLayers(mood="  ")))
    bare = compose_prompt(Shot(movement=Movement.ORBIT, fps=30))
    assert bare == "Medium shot, orbiting the subject, 30fps."


def test_compose_describes_each_character_once() -> None:
    mara = Character(name="Mara", description="a woman in her 30s in a grey wool coat")
    ines = Character(name="Ines", description="her teenage daughter")
    project = Project(characters=[mara, ines])
    shot = Shot(character_ids=[mara.id, ines.id, "deleted"], layers=PromptLayers(subject="Mara waits"))
    prompt = compose_prompt(shot, project)
    assert prompt.startswith(
        "Mara (a woman in her 30s in a grey wool coat) waits, with Ines (her teenage daughter)"
    )
    assert prompt.count("grey wool coat") == 1
    assert "Mara" in compose_prompt(Shot(character_ids=[mara.id]), project)
    assert "grey wool" not in compose_prompt(shot)  # no project, no cast


def _codes(shot: Shot, **kw: object) -> set[str]:
    return {issue.code for issue in lint_shot(shot, **kw)}  # type: ignore[arg-type]


def test_strong_prompt_has_no_warnings() -> None:
    issues = lint_shot(Shot(layers=STRONG, size=ShotSize.WS))
    assert [i for i in issues if i.severity == "warning"] == []


LINT_CASES = {
    "camera.no_movement": STRONG.model_copy(update={"camera": "from behind at shoulder height"}),
    "light.missing": STRONG.model_copy(update={"light": ""}),
    "light.no_direction": STRONG.model_copy(update={"light": "soft warm light"}),
    "light.no_quality": STRONG.model_copy(update={"light": "light from the left"}),
    "mood.vague": STRONG.model_copy(update={"mood": "very dramatic"}),
    "text.legible": STRONG.model_copy(update={"environment": "a neon sign reading 'HOTEL' above the door"}),
    "layer.placeholder": STRONG.model_copy(update={"subject": "[who: age, clothing]"}),
}


@pytest.mark.parametrize(("code", "layers"), LINT_CASES.items(), ids=list(LINT_CASES))
def test_each_lint_rule_fires_on_its_layer(code: str, layers: PromptLayers) -> None:
    issues = [i for i in lint_shot(Shot(layers=layers, size=ShotSize.WS)) if i.severity == "warning"]
    assert [i.code for i in issues] == [code]
    assert issues[0].layer in {"camera", "light", "mood", "environment", "subject"}
    assert issues[0].message


def test_movement_field_counts_as_explicit_movement() -> None:
    layers = STRONG.model_copy(update={"camera": "at shoulder height"})
    assert "camera.no_movement" not in _codes(Shot(layers=layers, movement=Movement.HANDHELD))


def test_hands_only_matter_in_a_close_up() -> None:
    layers = STRONG.model_copy(update={"action": "her hands tighten around the suitcase handle"})
    assert "hands.closeup" in _codes(Shot(layers=layers, size=ShotSize.CU))
    assert "hands.closeup" not in _codes(Shot(layers=layers, size=ShotSize.WS))


def test_fine_detail_on_fast_motion() -> None:
    bird = STRONG.model_copy(
        update={"subject": "a swallow, every feather sharp", "action": "darting fast between the pillars"}
    )
    assert "motion.fine_detail" in _codes(Shot(layers=bird, size=ShotSize.MS))
    slow = bird.model_copy(update={"action": "perched on a beam"})
    assert "motion.fine_detail" not in _codes(Shot(layers=slow, size=ShotSize.MS))
    texture_word = STRONG.model_copy(update={"environment": "rough plaster texture"})
    assert "text.legible" not in _codes(Shot(layers=texture_word))  # "texture" is not "text"


def test_duration_the_model_cannot_hold() -> None:
    catalog = load_catalog()
    shot = Shot(layers=STRONG, duration_s=12)
    too_long = [i for i in lint_shot(shot, model=catalog.get("veo-3.1")) if i.code == "duration.model"]
    assert len(too_long) == 1 and "at most 8 s" in too_long[0].message and too_long[0].severity == "warning"
    odd = [
        i
        for i in lint_shot(Shot(layers=STRONG, duration_s=7), model=catalog.get("kling-v2.5-turbo"))
        if i.code == "duration.model"
    ]
    assert [i.severity for i in odd] == ["info"] and "render 5 s" in odd[0].message
    assert "duration.model" not in _codes(Shot(layers=STRONG, duration_s=10), model=catalog.get("kling-v3"))


def test_unknown_character_is_flagged() -> None:
    shot = Shot(layers=STRONG, character_ids=["gone"])
    assert "character.unknown" in _codes(shot, project=Project())
    assert "character.unknown" not in _codes(shot)


EXPECTED_TEMPLATES = {
    "establishing",
    "character-moment",
    "dramatic-reveal",
    "environmental-texture",
    "scale-and-crowd",
}


def test_the_five_templates_fill_layers_and_crew_fields() -> None:
    templates = load_templates()
    assert {t.id for t in templates} == EXPECTED_TEMPLATES
    for template in templates:
        assert template.name and template.description
        first, second = template.make_shot(), template.make_shot()
        assert first.id != second.id
        assert all(text.strip() for _name, text in first.layers.items()), template.id
        assert first.layers.camera in compose_prompt(first)
        # The blanks are there to be filled, and lint says so.
        assert "layer.placeholder" in _codes(first)
    by_id = {t.id: t.make_shot() for t in load_templates()}
    assert by_id["establishing"].size is ShotSize.EWS and by_id["establishing"].duration_s >= 10
    assert by_id["environmental-texture"].size is ShotSize.ECU
    assert by_id["dramatic-reveal"].movement is Movement.PULL_BACK


def test_bad_template_file_names_the_template(tmp_path: Path) -> None:
    bad = tmp_path / "templates.json"
    bad.write_text(
        json.dumps({"templates": [{"id": "oops", "name": "Oops", "crew": {"size": "huge"}}]}), "utf-8"
    )
    with pytest.raises(TemplateError, match="template oops"):
        load_templates(bad)
    bad.write_text(
        json.dumps({"templates": [{"id": "x", "name": "X", "layers": {"sound": "boom"}}]}), "utf-8"
    )
    with pytest.raises(TemplateError, match="unknown layer"):
        load_templates(bad)
    bad.write_text("{\n  nope", "utf-8")
    with pytest.raises(TemplateError, match=":2: not valid JSON"):
        load_templates(bad)
