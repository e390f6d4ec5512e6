"""The model picker: rank the catalog's live models for one shot, with reasons a director can read.

The film-craft rules come from the reference article:

- wide, establishing, aerial and long continuous shots → the longest coherent take (the article's pick,
  Sora 2 Pro, is retired; its successor and the other long-take models rank instead, and a note says so);
- character close-ups with a reference image → Kling image-to-video;
- synced audio → Veo 3 (retired → Veo 3.1) or Seedance 2.0;
- 4K product detail (insert / extreme close-up at 4K) → LTX 2 Pro;
- quick drafts → Ray;
- natural human motion (walking, dancing, running … in the action layer) → Hailuo;
- a character seen in several shots → image-to-video from that character's reference image.

A model that cannot do the shot (too long, wrong aspect, silent when sound is needed, needs an image the
shot lacks) is never ranked: it goes to ``excluded`` with the reason. Retired models are never ranked.

Speed matters (the CLI and the storyboard ask for thousands of shots): everything that depends only on
the catalog is prepared once and kept in ``catalog.cache``; per shot there are a few regex searches and
one pass over the models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import Lifecycle, ModelSpec, Route
from shotplanner.core.models import LOCAL_MODEL_ID, RESOLUTION_LINES, Angle, Project, Quality, Shot, ShotSize

# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model that can make the shot. Immutable: the same candidate is shared by every shot that has
    the same settings, which keeps recommending a whole film cheap (few new objects for the GC to scan)."""

    model: ModelSpec
    route: Route | None
    score: float
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class Recommendation:
    shot_id: str
    candidates: list[Candidate] = field(default_factory=list)
    excluded: list[tuple[ModelSpec, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""
    #: The article's rules this shot triggered, by key (e.g. "long_take", "synced_audio").
    rules: list[str] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# ------------------------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    label: str  # completes "the article's pick for …"
    tags: frozenset[str]  # strengths that earn the bonus
    bonus: float
    picks: tuple[str, ...]  # the article's choice(s), by catalog id


RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule(
            "long_take",
            "wide, establishing and long continuous shots",
            frozenset({"long_take", "establishing"}),
            10.0,
            ("sora-2-pro",),
        ),
        Rule(
            "character_closeup",
            "character close-ups with a reference image",
            frozenset({"character_closeup"}),
            40.0,
            ("kling-v3",),
        ),
        Rule(
            "synced_audio",
            "clips with synced audio",
            frozenset({"synced_audio"}),
            40.0,
            ("veo-3", "seedance-2.0"),
        ),
        Rule("4k_detail", "4K product and detail shots", frozenset({"4k_detail"}), 40.0, ("ltx-2-pro",)),
        Rule("draft", "quick drafts and prototypes", frozenset({"draft"}), 40.0, ("luma-ray-2",)),
        Rule(
            "human_motion", "smooth, natural human motion", frozenset({"human_motion"}), 35.0, ("hailuo-2.3",)
        ),
        Rule("action", "dynamic action", frozenset({"action"}), 12.0, ("seedance-2.0",)),
        Rule(
            "recurring_character",
            "characters who recur across shots",
            frozenset({"image_to_video"}),
            25.0,
            (),
        ),
    )
}
PICK_BONUS = 12.0
#: A model with no published price is neither favoured nor punished by the cost tie-breaker.
UNKNOWN_PRICE_GUESS = 0.1
PLAN_MEMO_LIMIT = 4096
#: A preview model's limits are unverified: it ranks this much below an equal live one.
PREVIEW_PENALTY = 8.0

_LONG_WORDS = re.compile(
    r"\b(establishing|aerial|drone|long take|continuous|oner|one take|single take|unbroken|wide shot|vista|"
    r"panoram\w*|crane (?:up|rise|shot)|bird'?s[- ]eye)\b",
    re.IGNORECASE,
)
_HUMAN_MOTION = re.compile(
    r"\b(walk\w*|danc\w*|run|runs|running|ran|jog\w*|sprint\w*|stroll\w*|strid\w*|march\w*|climb\w*|"
    r"swim\w*|skat\w*|jump\w*|leap\w*|twirl\w*|spin(?:s|ning)?|stumbl\w*|limp\w*|hurr(?:y|ies|ied)|"
    r"pac(?:e|es|ing)|kick\w*|fight\w*|wrestl\w*|embrac\w*|hug\w*|gestur\w*)\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(chase\w*|chasing|fight\w*|explo\w*|crash\w*|sprint\w*|rac(?:e|es|ing)|leap\w*|jump\w*|"
    r"collid\w*|smash\w*|punch\w*|stunt\w*|burst\w*|speed\w*|swerv\w*|dive|dives|diving)\b",
    re.IGNORECASE,
)
_CLOSE_SIZES = frozenset({ShotSize.MCU, ShotSize.CU, ShotSize.ECU})
_DETAIL_SIZES = frozenset({ShotSize.INSERT, ShotSize.ECU, ShotSize.CU})


def _fmt(seconds: float) -> str:
    return f"{seconds:g} s"


# ------------------------------------------------------------------------------- prepared catalog


@dataclass(slots=True)
class _Prepared:
    """What the scorer needs about one live model, computed once per catalog."""

    model: ModelSpec
    route: Route | None
    max_duration: float
    exact: frozenset[float] | None  # None: any duration in range
    aspects: frozenset[str] | None  # None: not documented, assume any
    aspect_text: str
    resolutions: frozenset[str]
    top_resolution: str
    top_lines: int
    frame_rates: frozenset[int]
    audio: str
    takes_image: bool
    image_required: bool
    image_sets_aspect: bool
    needs_motion_video: bool
    strengths: frozenset[str]
    coherent: float
    base: float
    #: rule key → (score change, reasons, warnings); everything about a rule that depends only on the catalog
    effects: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]]
    static_warnings: tuple[str, ...]
    default_reason: str
    #: Per-value memo of the duration / resolution / fps / aspect checks (shots repeat these a lot).
    memo: dict[tuple[str, object], tuple[float, tuple[str, ...]]] = field(default_factory=dict)


#: ranked candidates, excluded, notes, message
_Plan = tuple[list[Candidate], list[tuple[ModelSpec, str]], list[str], str]


@dataclass(slots=True)
class _PreparedCatalog:
    models: list[_Prepared]
    retired: list[tuple[ModelSpec, str]]
    #: rule key → list of (pick model, live model it routes to or None)
    picks: dict[str, list[tuple[ModelSpec, ModelSpec | None]]]
    #: Memo of finished plans by the shot values they depend on (see ``recommend``).
    plans: dict[tuple[object, ...], _Plan] = field(default_factory=dict)


def _prepare(catalog: Catalog) -> _PreparedCatalog:
    cached = catalog.cache.get("recommend")
    if isinstance(cached, _PreparedCatalog):
        return cached
    picks: dict[str, list[tuple[ModelSpec, ModelSpec | None]]] = {}
    routed_picks: dict[str, set[str]] = {}  # rule → live models its pick routes to (itself or successor)
    for rule in RULES.values():
        for pick_id in rule.picks:
            pick = catalog.find(pick_id)
            if pick is not None:
                live = pick if pick.is_live else catalog.successor_of(pick)
                picks.setdefault(rule.key, []).append((pick, live))
                if live is not None:
                    routed_picks.setdefault(rule.key, set()).add(live.id)
    prepared: list[_Prepared] = []
    retired: list[tuple[ModelSpec, str]] = []
    for model in catalog.models:
        if model.id == LOCAL_MODEL_ID:
            continue  # the animatic is previs, not a generation choice
        if not model.is_live:
            when = f" on {model.retired_on.isoformat()}" if model.retired_on else ""
            succ = catalog.successor_of(model)
            retired.append((model, f"retired{when}" + (f"; successor: {succ.name}" if succ else "")))
            continue
        coherent = model.coherent_seconds or model.max_duration
        route = model.routes[0] if model.routes else None
        price = UNKNOWN_PRICE_GUESS
        if route is not None:
            known = route.price_per_second
            if known is None and route.price_per_second_by_resolution:
                known = min(route.price_per_second_by_resolution.values())
            if known is not None:
                price = known
        top = max(model.resolutions, key=lambda r: RESOLUTION_LINES.get(r, 0)) if model.resolutions else ""
        exact = None
        if not (model.continuous_duration or (model.duration_range and not model.durations)):
            exact = frozenset(float(d) for d in model.allowed_durations())
        top_label = top.upper() if top.endswith("k") else top
        takes_image = model.image_input.start_frame or model.image_input.reference
        reasons = {
            "long_take": f"holds one coherent take up to {_fmt(coherent)}, what wide and long continuous "
            "shots need",
            "character_closeup": "starts from the reference image, so the face and costume match it",
            "synced_audio": "generates sound in sync with the picture",
            "4k_detail": f"renders up to {top_label}, enough for fine product detail",
            "draft": "quick and inexpensive: right for a draft",
            "human_motion": "known for smooth, natural human movement",
            "action": "handles fast, dynamic action",
        }
        strengths = frozenset(model.strengths)
        effects: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {}
        for rule in RULES.values():
            if rule.key == "recurring_character":
                continue  # names the character: scored per shot
            delta = 0.0
            why: list[str] = []
            warn: list[str] = []
            if rule.key == "long_take":
                delta += 2.0 * min(coherent, 20.0)
            if strengths & rule.tags and not (rule.key == "4k_detail" and "4k" not in model.resolutions):
                delta += rule.bonus
                why.append(reasons[rule.key])
            elif rule.key == "synced_audio" and model.audio != "none":
                delta += 5.0  # can make sound, but not what it is known for
            elif rule.key == "draft" and model.quality_tier >= 3:
                delta -= 15.0
                warn.append("a flagship model: slower and dearer than a draft needs")
            if model.id in routed_picks.get(rule.key, ()):
                delta += PICK_BONUS
                why.append(_pick_reason(model, rule))
            effects[rule.key] = (delta, tuple(why), tuple(warn))
        static_warnings: list[str] = []
        if model.audio == "always":
            static_warnings.append("always generates sound; mute it in the edit")
        if model.lifecycle is Lifecycle.PREVIEW:
            static_warnings.append("preview model: limits and prices not yet verified")
            price += PREVIEW_PENALTY / 5.0  # folded into the base score below: unverified ranks lower
        summary = model.summary.rstrip(".")
        prepared.append(
            _Prepared(
                model=model,
                route=route,
                max_duration=model.max_duration,
                exact=exact,
                aspects=frozenset(model.aspect_ratios) or None,
                aspect_text=", ".join(model.aspect_ratios),
                resolutions=frozenset(model.resolutions),
                top_resolution=top,
                top_lines=RESOLUTION_LINES.get(top, 0),
                frame_rates=frozenset(model.frame_rates),
                audio=model.audio,
                takes_image=takes_image,
                image_required=model.image_required,
                image_sets_aspect=model.image_sets_aspect,
                needs_motion_video=model.needs_motion_video,
                strengths=strengths,
                coherent=coherent,
                # Flagship quality first, cheaper as a tie-breaker.
                base=model.quality_tier * 10.0 - price * 5.0,
                effects=effects,
                static_warnings=tuple(static_warnings),
                default_reason=f"can make this shot ({summary})" if summary else "can make this shot",
            )
        )
    result = _PreparedCatalog(prepared, retired, picks)
    catalog.cache["recommend"] = result
    return result


# --------------------------------------------------------------------------------------- the shot


@dataclass(slots=True)
class _Context:
    has_image: bool
    character_image: str | None  # the recurring character's name whose reference image can be sent
    rules: tuple[str, ...]


def _shot_context(shot: Shot, project: Project | None, usage: dict[str, int] | None) -> _Context:
    own_image = any(ref.role != "end" for ref in shot.reference_images)
    char_with_image = None
    recurring_name = None
    if project is not None and shot.character_ids:
        by_id = {c.id: c for c in project.characters}
        for cid in shot.character_ids:
            character = by_id.get(cid)
            if character is None or not character.reference_images:
                continue
            char_with_image = character
            if _appears_elsewhere(project, shot, cid, usage):
                recurring_name = character.name
                break
    has_image = own_image or char_with_image is not None

    rules: list[str] = []
    size = shot.size
    camera = shot.layers.camera
    if (
        size.is_wide
        or shot.angle is Angle.AERIAL
        or shot.duration_s > 10.0
        or (camera and _LONG_WORDS.search(camera))
    ):
        rules.append("long_take")
    if size in _CLOSE_SIZES and has_image and (shot.character_ids or shot.layers.subject):
        rules.append("character_closeup")
    if shot.audio:
        rules.append("synced_audio")
    if shot.resolution == "4k" and size in _DETAIL_SIZES:
        rules.append("4k_detail")
    if shot.quality is Quality.DRAFT:
        rules.append("draft")
    action = shot.layers.action
    if action:
        if _HUMAN_MOTION.search(action):
            rules.append("human_motion")
        if _ACTION.search(action):
            rules.append("action")
    if recurring_name is not None and (size in _CLOSE_SIZES or size is ShotSize.OTS):
        rules.append("recurring_character")
    return _Context(has_image, recurring_name, tuple(rules))


def _appears_elsewhere(project: Project, shot: Shot, cid: str, usage: dict[str, int] | None) -> bool:
    if usage is not None:
        return usage.get(cid, 0) > 1
    # Stop at the first other shot: cheap when the character recurs, which is the common case.
    for scene in project.scenes:
        for other in scene.shots:
            if other is not shot and cid in other.character_ids:
                return True
    return False


def character_usage(project: Project) -> dict[str, int]:
    """How many shots each character appears in."""
    counts: dict[str, int] = {}
    for scene in project.scenes:
        for shot in scene.shots:
            for cid in shot.character_ids:
                counts[cid] = counts.get(cid, 0) + 1
    return counts


# ------------------------------------------------------------------------------------------ scoring


def _exclusion(p: _Prepared, shot: Shot, ctx: _Context) -> str | None:
    """Every hard limit the shot breaks for this model, in one sentence part; ``None`` if it fits."""
    found: list[str] = []
    seconds = shot.duration_s
    if seconds > p.max_duration + 1e-6:
        found.append(f"makes at most {_fmt(p.max_duration)} in one generation (the shot is {_fmt(seconds)})")
    if p.aspects is not None and shot.aspect not in p.aspects and not (p.image_sets_aspect and ctx.has_image):
        found.append(f"renders only {p.aspect_text} (the shot is {shot.aspect})")
    if shot.audio and p.audio == "none":
        found.append("makes silent clips (the shot needs synced sound)")
    if p.image_required and not ctx.has_image:
        found.append("works only from a start image (the shot has none)")
    if p.needs_motion_video:
        found.append("needs a reference video of the performance to copy, which a shot cannot carry")
    return "; ".join(found) if found else None


def _score(p: _Prepared, shot: Shot, ctx: _Context) -> Candidate:
    score = p.base
    reasons: list[str] = []
    warnings: list[str] = []
    for key in ctx.rules:
        if key == "recurring_character":
            if p.takes_image:
                score += RULES[key].bonus
                if "character_closeup" in p.strengths:
                    score += 5.0  # image-to-video built around keeping a character the same
                reasons.append(
                    f"{ctx.character_image} appears in several shots: starting from the character's "
                    "reference image keeps them consistent from cut to cut"
                )
            else:
                score -= 10.0
                warnings.append(
                    f"cannot take {ctx.character_image}'s reference image; the character may look "
                    "different from shot to shot"
                )
            continue
        delta, why, warn = p.effects[key]
        score += delta
        if why:
            reasons.extend(why)
        if warn:
            warnings.extend(warn)
    memo = p.memo
    for memo_key in (("d", shot.duration_s), ("r", shot.resolution), ("f", shot.fps), ("a", shot.aspect)):
        found = memo.get(memo_key)
        if found is None:
            found = memo[memo_key] = _fit(p, memo_key)
        if found[1]:
            score += found[0]
            warnings.extend(found[1])
    if p.static_warnings:
        warnings.extend(p.static_warnings)
    if not reasons:
        reasons.append(p.default_reason)
    return Candidate(p.model, p.route, score, tuple(reasons), tuple(warnings))


def _fit(p: _Prepared, key: tuple[str, object]) -> tuple[float, tuple[str, ...]]:
    """Score change and warnings for one setting (duration, resolution, fps or aspect) on this model."""
    kind, value = key
    delta = 0.0
    warnings: list[str] = []
    if kind == "a":
        aspect = value
        if p.aspects is not None and aspect not in p.aspects:
            warnings.append(
                f"takes its {aspect} aspect from the start image (text-to-video is {p.aspect_text})"
            )
    elif kind == "r":
        if p.resolutions and value not in p.resolutions:
            if RESOLUTION_LINES.get(str(value), 0) > p.top_lines:
                delta -= 15.0
                warnings.append(f"renders at most {p.top_resolution}, not {value}")
            else:
                delta -= 3.0
                warnings.append(f"does not offer {value}; a nearby resolution will be used")
    elif kind == "f":
        if p.frame_rates and value not in p.frame_rates:
            delta -= 1.0
            warnings.append(f"renders at {'/'.join(str(f) for f in sorted(p.frame_rates))} fps, not {value}")
    else:
        seconds = float(value)  # type: ignore[arg-type]
        if p.exact and seconds not in p.exact:
            nearest = min(p.exact, key=lambda d: (abs(d - seconds), -d))
            delta -= 2.0
            if nearest > seconds:
                warnings.append(f"renders {_fmt(nearest)}, not {_fmt(seconds)}; trim the rest in the edit")
            else:
                warnings.append(
                    f"nearest length it makes is {_fmt(nearest)}, shorter than the {_fmt(seconds)} asked"
                )
        if seconds > p.coherent + 1e-6:
            delta -= 2.0 * (seconds - p.coherent)
            warnings.append(f"may drift after {_fmt(p.coherent)}")
    return delta, tuple(warnings)


def _pick_reason(model: ModelSpec, rule: Rule) -> str:
    if model.id in rule.picks:
        return f"the article's pick for {rule.label}"
    return f"successor of the article's pick for {rule.label}"


# ---------------------------------------------------------------------------------------- public API


def recommend(
    shot: Shot, project: Project | None, catalog: Catalog, *, usage: dict[str, int] | None = None
) -> Recommendation:
    """Rank the catalog's live models for ``shot``; ``usage`` (from ``character_usage``) saves a scan."""
    prep = _prepare(catalog)
    ctx = _shot_context(shot, project, usage)
    # Everything below depends only on these values, and a film repeats them a lot: plan once per key.
    key = (
        shot.duration_s,
        shot.resolution,
        shot.fps,
        shot.aspect,
        shot.audio,
        ctx.has_image,
        ctx.rules,
        ctx.character_image,
    )
    plan = prep.plans.get(key)
    if plan is None:
        plan = _plan(prep, shot, ctx)
        if len(prep.plans) > PLAN_MEMO_LIMIT:  # arbitrary durations could grow it without bound
            prep.plans.clear()
        prep.plans[key] = plan
    ranked, excluded, notes, message = plan
    rec = Recommendation(
        shot.id,
        candidates=list(ranked),
        excluded=list(excluded),
        notes=list(notes),
        message=message,
        rules=list(ctx.rules),
    )
    if not shot.audio and shot.dialogue.strip():
        rec.notes.append(
            "The shot has dialogue but sound is off: turn audio on to have it generated in sync."
        )
    return rec


def _plan(prep: _PreparedCatalog, shot: Shot, ctx: _Context) -> _Plan:
    """The ranked models, exclusions, notes and message for one combination of shot settings."""
    candidates: list[Candidate] = []
    unable: list[tuple[ModelSpec, str]] = []
    for p in prep.models:
        reason = _exclusion(p, shot, ctx)
        if reason is None:
            candidates.append(_score(p, shot, ctx))
        else:
            unable.append((p.model, reason))
    candidates.sort(key=lambda c: -c.score)
    excluded_by_id = {m.id: r for m, r in unable}

    notes: list[str] = []
    ids = {c.model.id for c in candidates}
    for key in ctx.rules:
        rule = RULES[key]
        for pick, live in prep.picks.get(key, ()):
            if not pick.is_live:
                when = pick.retired_on.isoformat() if pick.retired_on else "an earlier date"
                target = live if live is not None and live.id in ids else None
                if target is None and candidates:
                    target = candidates[0].model
                note = f"{pick.name}, the article's pick for {rule.label}, was retired on {when}"
                if target is None:
                    notes.append(f"{note}.")
                elif target is candidates[0].model:
                    notes.append(f"{note}; routed to {target.name} instead.")
                else:
                    rank = next(i for i, c in enumerate(candidates, 1) if c.model is target)
                    notes.append(
                        f"{note}; its live successor {target.name} ranks #{rank} here "
                        f"(first: {candidates[0].model.name})."
                    )
            elif pick.id in excluded_by_id:
                notes.append(
                    f"{pick.name}, the article's pick for {rule.label}, cannot do this shot: "
                    f"it {excluded_by_id[pick.id]}."
                )
    excluded = [*unable, *prep.retired]
    message = "" if candidates else _nothing_fits(shot, excluded)
    return candidates, excluded, notes, message


def recommend_all(project: Project, catalog: Catalog) -> dict[str, Recommendation]:
    """A recommendation for every shot of ``project``, keyed by shot id."""
    usage = character_usage(project)
    return {shot.id: recommend(shot, project, catalog, usage=usage) for shot in project.all_shots()}


def resolve_model(shot: Shot, project: Project | None, catalog: Catalog) -> ModelSpec | None:
    """The model a shot will use: the user's choice when the catalog has it, else the recommender's best."""
    if shot.model_id:
        chosen = catalog.find(shot.model_id)
        if chosen is not None:
            return chosen
    best = recommend(shot, project, catalog).best
    return best.model if best else None


def _nothing_fits(shot: Shot, excluded: list[tuple[ModelSpec, str]]) -> str:
    reasons = [r for _m, r in excluded if not r.startswith("retired")]
    fixes: list[str] = []
    if any("makes at most" in r for r in reasons):
        longest = max((m for m, r in excluded if "makes at most" in r), key=lambda m: m.max_duration)
        fixes.append(
            f"shorten it or split it into several shots (the longest live model, {longest.name}, "
            f"stops at {_fmt(longest.max_duration)})"
        )
    if any("renders only" in r for r in reasons):
        fixes.append("choose another aspect ratio or add a start image")
    if any("makes silent" in r for r in reasons):
        fixes.append("turn sound off and add it in the edit")
    if any("works only from a start image" in r for r in reasons):
        fixes.append("add a start image")
    asked = f"{_fmt(shot.duration_s)}, {shot.aspect}" + (", with sound" if shot.audio else "")
    text = f"No live model in the catalog can make this shot ({asked})."
    if fixes:
        text += " To make it possible: " + "; ".join(fixes) + "."
    return text
