"""The model picker: rank the catalog's live models for one shot, with reasons a director can read.

The film-craft rules are the reference article's which-model-for-which-job cases
(``core.recommend_rules``, each with its article lines). Every reason names what in the shot set the
rule off and what the model offers. The ranking is honest:

- a model that cannot make the shot at all (too long *at the shot's resolution*, wrong aspect, silent
  when sound is needed, no end frame when the shot has one, needs an image the shot lacks) is not
  ranked: it goes to ``excluded`` with the reason;
- a model the shot check (``core.validation.check_shot``) would refuse as set — ``generate`` skips such
  shots — is ranked after every model it would accept, with the check's words as its ``problems``;
- prices play no part except in the draft rule (a draft should be cheap: the price *at the shot's
  resolution* counts) and as the last tie-break between two known prices; an unknown price is shown as
  unknown and never wins a tie;
- a retired pick is named with its successor and the catalog's reason for it; a shot longer than any
  model holds in one coherent take is offered a split into segments chained by frame (``core.split``).

Speed matters (the CLI and the storyboard ask for thousands of shots): what depends only on the catalog
is prepared once and kept in ``catalog.cache``; plans are memoised by the shot values they depend on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import Lifecycle, ModelSpec, Route
from shotplanner.core.lint import failure_warnings
from shotplanner.core.models import LOCAL_MODEL_ID, RESOLUTION_LINES, Project, Shot
from shotplanner.core.recommend_rules import RULES, WARNING_LINES, Found, Rule, find_rules
from shotplanner.core.routes import RouteChoice, RouteFacts, choose, price_for, route_facts
from shotplanner.core.validation import check_shot

__all__ = [
    "RULES", "Candidate", "PinCheck", "Recommendation", "SplitOffer", "character_usage", "clear_memos",
    "recommend",
    "recommend_all", "resolve_model", "successor_reason",
]

# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model that can make the shot. Immutable: the same candidate is shared by every shot that has
    the same settings, which keeps recommending a whole film cheap."""

    model: ModelSpec
    route: Route | None
    score: float
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: What the shot check says must change before this model can take the shot (empty: it can as set).
    problems: tuple[str, ...] = ()
    #: USD per second at the shot's resolution (and sound) on ``route``; None when nobody published one.
    price_per_second: float | None = None
    cost_usd: float | None = None
    #: False when the price's own source calls it unverified: shown, but it never breaks a tie.
    price_verified: bool = False
    #: Reasons or warnings hold per-shot tokens (what set a rule off) to fill in when read.
    templated: bool = field(default=False, repr=False, compare=False)

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class SplitOffer:
    """A shot longer than any model holds, cut into segments chained by frame for one model."""

    model: ModelSpec
    segments: tuple[float, ...]
    text: str


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The user's own choice of model, checked against the shot."""

    model_id: str
    model: ModelSpec | None
    rank: int | None  # 1-based place among the candidates; None when not ranked
    problems: tuple[str, ...]
    text: str


class Recommendation:
    """The ranking for one shot. ``candidates`` are shared between shots with the same settings and
    rules; what in *this* shot set each rule off is written into their reasons when they are read."""

    def __init__(
        self,
        shot_id: str,
        candidates: list[Candidate] | None = None,
        excluded: list[tuple[ModelSpec, str]] | None = None,
        notes: list[str] | None = None,
        message: str = "",
        rules: list[str] | None = None,
        triggers: dict[str, str] | None = None,
        split: SplitOffer | None = None,
        *,
        tokens: dict[str, str] | None = None,
    ) -> None:
        self.shot_id = shot_id
        self.excluded = excluded or []
        self.notes = notes or []
        self.message = message
        #: The article's rules this shot triggered, by key (e.g. "long_take", "synced_audio").
        self.rules = rules or []
        #: rule key → what in the shot set it off.
        self.triggers = triggers or {}
        #: What every model will get wrong here (hands, legible text, fast detail) and frame-rate advice.
        self.warnings: list[str] = []
        self.split = split
        self.pinned: PinCheck | None = None
        self._raw = candidates or []
        self._tokens = tokens or {}
        self._rendered: list[Candidate] | None = None

    @property
    def candidates(self) -> list[Candidate]:
        if self._rendered is None:
            self._rendered = [_render(c, self._tokens) for c in self._raw]
        return self._rendered

    @property
    def best(self) -> Candidate | None:
        if self._rendered is not None:
            return self._rendered[0] if self._rendered else None
        return _render(self._raw[0], self._tokens) if self._raw else None

    def ranked_ids(self) -> list[str]:
        return [c.model.id for c in (self._rendered if self._rendered is not None else self._raw)]


def _token(key: str) -> str:
    return f"\x00{key}\x00"


def _render(c: Candidate, tokens: dict[str, str]) -> Candidate:
    if not c.templated:
        return c

    def fill(text: str) -> str:
        if "\x00" not in text:
            return text
        parts = text.split("\x00")  # odd parts are token keys
        parts[1::2] = [tokens.get(k, k) for k in parts[1::2]]
        return "".join(parts)

    return replace(c, reasons=tuple(fill(r) for r in c.reasons), warnings=tuple(fill(w) for w in c.warnings),
                   templated=False)


# --------------------------------------------------------------------------------------- weights

PICK_BONUS = 12.0
#: A preview model's limits are unverified: it ranks this much below an equal live one.
PREVIEW_PENALTY = 8.0
#: Drafts should be cheap: each dollar per second below this earns ``DRAFT_PRICE_WEIGHT`` points (and
#: each dollar above it costs as many), at the shot's resolution.
DRAFT_PRICE_CEILING = 0.15
DRAFT_PRICE_WEIGHT = 100.0
PLAN_MEMO_LIMIT = 4096
#: How much the other jobs weigh on a draft (the draft rule, sound and 4K keep their full weight).
DRAFT_DAMPING = 0.25
_UNDAMPED = frozenset({"draft", "synced_audio", "4k_detail"})
#: A price source that says so itself ("about $0.06/s (unverified)", "fal's price not verified").
_UNVERIFIED = re.compile(r"\b(?:unverified|not verified)\b", re.IGNORECASE)


def _fmt(seconds: float) -> str:
    return f"{seconds:g} s"


def _usd(per_second: float) -> str:
    return f"${per_second:.3f}/s"


# ------------------------------------------------------------------------------- prepared catalog


@dataclass(slots=True)
class _Prepared:
    """What the scorer needs about one live model, computed once per catalog."""

    model: ModelSpec
    routes: tuple[Route, ...]  # the routes a job may take, in the planner's order
    strengths: frozenset[str]
    coherent: float
    base: float
    static_warnings: tuple[str, ...]
    #: rule key → (live pick it stands in for, that pick) when this model is an article pick or successor
    picks: dict[str, ModelSpec]
    #: The rules that can change this model's score or reasons (the others leave it as it is).
    touching: frozenset[str] = frozenset()


@dataclass(slots=True)
class _Plan:
    ranked: list[Candidate]
    excluded: list[tuple[ModelSpec, str]]
    notes: list[str]
    message: str
    split: SplitOffer | None
    fps_warning: str = ""


@dataclass(slots=True)
class _PreparedCatalog:
    catalog: Catalog
    models: list[_Prepared]
    retired: list[tuple[ModelSpec, str]]
    #: rule key → list of (pick model, live model it hands over to or None)
    picks: dict[str, list[tuple[ModelSpec, ModelSpec | None]]]
    plans: dict[tuple[object, ...], _Plan] = field(default_factory=dict)
    found: dict[tuple[object, ...], Found] = field(default_factory=dict)
    fits: dict[tuple[object, ...], list[_Fit]] = field(default_factory=dict)
    successor_why: dict[str, str] = field(default_factory=dict)
    candidates: dict[tuple[object, ...], Candidate] = field(default_factory=dict)
    pieces: dict[tuple[object, ...], tuple[float, tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict)


def successor_reason(model: ModelSpec, catalog: Catalog) -> str:
    """Why the catalog hands a retired model over to its successor, in the catalog's own words."""
    note = model.lifecycle_note.strip()
    successor = catalog.successor_of(model)
    head, sep, tail = note.partition("Successor:")
    shutdown = head.strip().rstrip(".")
    text = shutdown + "." if shutdown else ""
    if successor is None:
        return text or "It has no live successor in the catalog."
    because = ""
    if sep:
        _, found, why = tail.partition("because")
        if found:
            because = " because " + why.strip().rstrip(".")
        else:
            rest = tail.strip().rstrip(".")
            because = rest[len(successor.name):].strip(" ,(") if rest.startswith(successor.name) else ""
            because = f" ({because})" if because else ""
    return (text + " " if text else "") + f"Its successor is {successor.name}{because}."


#: Rules that touch every model (hold length, sound, a draft's price, a recurring character's image).
_TOUCH_ALL = frozenset({"long_take", "establishing", "synced_audio", "draft", "recurring_character"})


def _touching(model: ModelSpec, picks: dict[str, ModelSpec]) -> frozenset[str]:
    strengths = frozenset(model.strengths)
    return frozenset(key for key, rule in RULES.items()
                     if key in _TOUCH_ALL or key in picks or strengths & rule.tags)


def _prepare(catalog: Catalog, providers: frozenset[str] | None = None) -> _PreparedCatalog:
    cache_key = "recommend" if providers is None else "recommend:" + ",".join(sorted(providers))
    cached = catalog.cache.get(cache_key)
    if isinstance(cached, _PreparedCatalog):
        return cached
    picks: dict[str, list[tuple[ModelSpec, ModelSpec | None]]] = {}
    routed: dict[str, dict[str, ModelSpec]] = {}  # live model id → rule → the pick it stands for
    for rule in RULES.values():
        for pick_id in rule.picks:
            pick = catalog.find(pick_id)
            if pick is not None:
                live = pick if pick.is_live else catalog.successor_of(pick)
                picks.setdefault(rule.key, []).append((pick, live))
                if live is not None:
                    routed.setdefault(live.id, {})[rule.key] = pick
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
        static: list[str] = []
        if model.audio == "always":
            static.append("always generates sound; mute it in the edit")
        base = model.quality_tier * 10.0
        if model.lifecycle is Lifecycle.PREVIEW:
            static.append("preview model: limits and prices not yet verified")
            base -= PREVIEW_PENALTY
        prepared.append(
            _Prepared(
                model=model,
                routes=tuple(r for r in model.routes if providers is None or r.provider in providers),
                strengths=frozenset(model.strengths),
                coherent=model.coherent_seconds or model.max_duration,
                base=base,
                static_warnings=tuple(static),
                picks=routed.get(model.id, {}),
                touching=_touching(model, routed.get(model.id, {})),
            )
        )
    result = _PreparedCatalog(catalog, prepared, retired, picks)
    catalog.cache[cache_key] = result
    return result


# --------------------------------------------------------------------------------------- the shot


@dataclass(frozen=True, slots=True)
class _Context:
    has_image: bool  # a start/reference image of its own, a character's sheet, or a chained frame
    has_start: bool  # something the model can start from (own start/reference image or a chained frame)
    has_end: bool
    chained: bool
    character_image: str | None  # the recurring character whose reference image can be sent
    found: Found
    #: What the route choice depends on: start?, end?, own references, character sheets.
    images: tuple[object, ...] = ()


def _shot_context(
    prep: _PreparedCatalog, shot: Shot, project: Project | None, usage: dict[str, int] | None
) -> _Context:
    own_start = any(ref.role in ("start", "reference") for ref in shot.reference_images)
    chained = shot.chain_from is not None
    has_end = any(ref.role == "end" for ref in shot.reference_images)
    char_with_image = False
    recurring_name = None
    if project is not None and shot.character_ids:
        by_id = {c.id: c for c in project.characters}
        for cid in shot.character_ids:
            character = by_id.get(cid)
            if character is None or not character.reference_images:
                continue
            char_with_image = True
            if _appears_elsewhere(project, shot, cid, usage):
                recurring_name = character.name
                break
    has_image = own_start or chained or char_with_image
    has_character = bool(shot.character_ids)
    layers = shot.layers
    key = (
        layers.subject, layers.action, layers.environment, layers.camera, layers.light, layers.mood,
        shot.size, shot.angle, shot.movement, shot.duration_s, shot.audio, bool(shot.dialogue.strip()),
        shot.resolution, shot.quality, has_image, has_character, recurring_name,
    )
    found = prep.found.get(key)
    if found is None:
        found = find_rules(shot, has_image=has_image, has_character=has_character, recurring=recurring_name)
        if len(prep.found) > PLAN_MEMO_LIMIT:
            prep.found.clear()
        prep.found[key] = found
    sheets = 0  # how many, not whose: only non-blocking notes name the character
    if project is not None and shot.character_ids:
        sheets = sum(len(c.reference_images) for cid in shot.character_ids
                     if (c := project.character(cid)) is not None)
    images = (shot.image_for("start") is not None, has_end,
              sum(1 for r in shot.reference_images if r.role == "reference"), sheets)
    return _Context(has_image, own_start or chained, has_end, chained, recurring_name, found, images)


def _appears_elsewhere(project: Project, shot: Shot, cid: str, usage: dict[str, int] | None) -> bool:
    if usage is not None:
        return usage.get(cid, 0) > 1
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


# ------------------------------------------------------------------------------------------ facts


def _res_used(facts: RouteFacts, resolution: str) -> str:
    """The resolution the route renders for ``resolution``: itself, else the closest not above it."""
    offered = facts.resolutions
    if not offered or resolution in offered:
        return resolution
    target = RESOLUTION_LINES.get(resolution, 1080)
    ranked = sorted(offered, key=lambda r: RESOLUTION_LINES.get(r, 0))
    below = [r for r in ranked if RESOLUTION_LINES.get(r, 0) <= target]
    return below[-1] if below else ranked[0]


def _max_at(facts: RouteFacts, resolution: str) -> float:
    if facts.continuous is not None:
        return facts.continuous[1]
    allowed = facts.durations_at(_res_used(facts, resolution))
    return max(allowed) if allowed else facts.max_duration


def hold_seconds(facts: RouteFacts, resolution: str) -> float:
    """The longest coherent take the route makes at ``resolution`` (the model's coherence or the route's
    top length, whichever is shorter)."""
    top = _max_at(facts, resolution)
    coherent = facts.model.coherent_seconds or top
    return min(coherent, top)


def _facts_of(model: ModelSpec, route: Route | None = None) -> RouteFacts | None:
    route = route if route is not None else (model.routes[0] if model.routes else None)
    return route_facts(model, route) if route is not None else None


@dataclass(frozen=True, slots=True)
class _Fit:
    """Everything about one model that depends only on the shot's settings and images (not its words),
    on the route its job would take."""

    exclusion: str | None
    route: Route | None
    facts: RouteFacts | None
    problems: tuple[str, ...]
    per_second: float | None
    cost: float | None
    verified: bool
    delta: float
    warnings: tuple[str, ...]
    hold: float
    res_used: str


def _fits(prep: _PreparedCatalog, shot: Shot, ctx: _Context, project: Project | None) -> list[_Fit]:
    key = _settings_key(shot, ctx)
    found = prep.fits.get(key)
    if found is None:
        found = [_fit_model(p, shot, ctx, project) for p in prep.models]
        if len(prep.fits) > PLAN_MEMO_LIMIT:
            prep.fits.clear()
        prep.fits[key] = found
    return found


def _fit_model(p: _Prepared, shot: Shot, ctx: _Context, project: Project | None) -> _Fit:
    """The route the job would take (as ``generation.planner`` picks it: the first route the shot check
    accepts, else the first that can make the shot at all) and how the shot fits it."""
    from shotplanner.core.cost import estimate_shot  # cost imports this module

    first_reason: str | None = None
    chosen: tuple[Route, RouteFacts, RouteChoice, tuple[str, ...]] | None = None
    for route in p.routes:
        facts = route_facts(p.model, route)
        reason = _exclusion(facts, shot, ctx)
        if reason is not None:
            first_reason = first_reason or reason
            continue
        choice = choose(shot, facts, project)
        problems = tuple(pr.message for pr in check_shot(shot, p.model, route, project=project, choice=choice)
                         if pr.blocking)
        if chosen is None or (chosen[3] and not problems):
            chosen = (route, facts, choice, problems)
        if not problems:
            break
    if chosen is None:
        return _Fit(first_reason or "has no route to any provider", None, None, (), None, None, False, 0.0,
                    (), 0.0, "")
    route, facts, choice, problems = chosen
    hold = hold_seconds(facts, shot.resolution)
    estimate = estimate_shot(shot, p.model, route, project=project, choice=choice)
    warnings: list[str] = []
    delta = _fit(facts, shot, hold, warnings)
    known = estimate.usd is not None
    verified = known and not _UNVERIFIED.search(estimate.source)
    if known and not verified:
        warnings.append(f"its price ({_usd(estimate.per_second or 0.0)}) is unverified")
    return _Fit(None, route, facts, problems, estimate.per_second if known else None, estimate.usd, verified,
                delta, tuple(warnings), hold, _res_used(facts, shot.resolution))


def _settings_key(shot: Shot, ctx: _Context) -> tuple[object, ...]:
    return (shot.duration_s, shot.resolution, shot.fps, shot.aspect, shot.audio, ctx.images, ctx.chained)


# ------------------------------------------------------------------------------------------ scoring


def _exclusion(facts: RouteFacts, shot: Shot, ctx: _Context) -> str | None:
    """Every hard limit the shot breaks on this route, in one sentence part; ``None`` if it fits."""
    model = facts.model
    found: list[str] = []
    seconds = shot.duration_s
    top = _max_at(facts, shot.resolution)
    if seconds > top + 1e-6:
        used = _res_used(facts, shot.resolution)
        at = f" at {used}" if used in facts.durations_by_resolution else ""
        found.append(f"makes at most {_fmt(top)}{at} in one generation (the shot is {_fmt(seconds)})")
    aspects = facts.aspect_ratios
    if aspects and shot.aspect not in aspects and not (facts.image_sets_aspect and ctx.has_image):
        found.append(f"renders only {', '.join(aspects)} (the shot is {shot.aspect})")
    if shot.audio and facts.audio == "none":
        found.append("makes silent clips (the shot needs synced sound)")
    if not facts.takes("text") and not ctx.has_image:
        found.append("works only from a start image (the shot has none)")
    if model.needs_motion_video:
        found.append("needs a reference video of the performance to copy, which a shot cannot carry")
    if ctx.has_end and not (facts.takes("start_end") or facts.takes("end")):
        found.append("takes no end frame (the shot has one)")
    if ctx.chained and not facts.takes("start"):
        found.append("cannot start from the previous segment's last frame (text-to-video only)")
    return "; ".join(found) if found else None


def _pick_reason(p: _Prepared, rule: Rule, prep: _PreparedCatalog) -> str | None:
    pick = p.picks.get(rule.key)
    if pick is None:
        return None
    if pick is p.model:
        return f"the article's pick for {rule.job} ({rule.cite})"
    return (f"the catalog's successor of {pick.name}, the article's pick for {rule.job} "
            f"({rule.cite})")


_Piece = tuple[float, tuple[str, ...], tuple[str, ...]]


def _score(p: _Prepared, fit: _Fit, shot: Shot, ctx: _Context, prep: _PreparedCatalog) -> Candidate:
    model = p.model
    score = p.base
    reasons: list[str] = []
    warnings: list[str] = []
    found = ctx.found
    skey = _settings_key(shot, ctx)
    draft = "draft" in found.rules
    for key in found.rules:
        memo_key = (skey, key, model.id)
        piece = prep.pieces.get(memo_key)
        if piece is None:
            if len(prep.pieces) > 16 * PLAN_MEMO_LIMIT:
                prep.pieces.clear()
            piece = prep.pieces[memo_key] = _rule_piece(p, fit, key, shot, prep)
        # A draft is about speed and cost: the other jobs still show in the reasons but weigh a quarter.
        damp = DRAFT_DAMPING if draft and key not in _UNDAMPED else 1.0
        score += piece[0] * damp
        reasons.extend(piece[1])
        warnings.extend(piece[2])
    score += fit.delta
    warnings.extend(fit.warnings)
    warnings.extend(p.static_warnings)
    if not reasons:
        reasons.append(_plain_reason(fit, shot, found))
    templated = any("\x00" in text for text in (*reasons, *warnings))
    return Candidate(model, fit.route, round(score, 3), tuple(reasons), tuple(warnings), fit.problems,
                     fit.per_second, fit.cost, fit.verified, templated)


def _rule_piece(p: _Prepared, fit: _Fit, key: str, shot: Shot, prep: _PreparedCatalog) -> _Piece:
    """One rule's score change, reasons and warnings for one model (the trigger is a token, filled in
    per shot): depends only on the model, the rule and the shot's settings."""
    model = p.model
    score = 0.0
    reasons: list[str] = []
    warnings: list[str] = []
    res_used = fit.res_used
    hold = fit.hold
    per_second = fit.per_second
    trigger = _token(key)
    rule = RULES[key]
    if key == "recurring_character":
        if model.image_input.start_frame or model.image_input.reference:
            score += rule.bonus + (5.0 if "character_closeup" in p.strengths else 0.0)
            reasons.append(f"{trigger}: {model.name} {rule.offer}, which keeps them consistent from cut "
                           f"to cut ({rule.cite})")
        else:
            score -= 10.0
            warnings.append(f"cannot take {_token('who')}'s reference image; the character may "
                            "look different from shot to shot")
        return score, tuple(reasons), tuple(warnings)
    has_tag = bool(p.strengths & rule.tags)
    facts = fit.facts
    if key == "4k_detail" and (facts is None or "4k" not in facts.resolutions):
        has_tag = False
    if key in ("long_take", "establishing"):
        score += 2.0 * min(hold, max(shot.duration_s, 10.0), 20.0)
    pick_reason = _pick_reason(p, rule, prep)
    if pick_reason is not None:
        score += PICK_BONUS
    if has_tag:
        score += rule.bonus
        offer = rule.offer
        if key in ("long_take", "establishing", "crowd", "water_fabric", "lighting_transition"):
            offer += f" (up to {_fmt(hold)} at {res_used})"
        if key == "draft" and per_second is not None:
            dear = per_second > DRAFT_PRICE_CEILING
            offer = (f"is a quick draft model, though at {shot.resolution} it costs {_usd(per_second)}"
                     if dear else f"{offer} ({_usd(per_second)} at {shot.resolution})")
        elif key == "draft":
            offer = "is a quick draft model (no published price)"
        tail = f"; {pick_reason}" if pick_reason else f" ({rule.cite})"
        reasons.append(f"{trigger}: {model.name} {offer}{tail}")
    elif pick_reason is not None:
        reasons.append(f"{trigger}: {model.name} is {pick_reason}")
    elif key == "synced_audio" and facts is not None and facts.audio != "none":
        score += 5.0  # can make sound, but not what it is known for
        reasons.append(f"{trigger}: {model.name} can generate sound, though sound is not its strength")
    elif key == "draft" and model.quality_tier >= 3:
        score -= 15.0
        warnings.append("a flagship model: slower and dearer than a draft needs")
    if key == "draft":
        if per_second is not None:
            # A known price counts both ways; an unknown one neither (it is not known to be cheap).
            score += DRAFT_PRICE_WEIGHT * (DRAFT_PRICE_CEILING - per_second)
            if per_second > DRAFT_PRICE_CEILING:
                cheaper = _cheaper_resolution(fit, shot)
                warnings.append(f"costs {_usd(per_second)} at {shot.resolution}, dear for a draft"
                                + (f"; {cheaper}" if cheaper else ""))
        else:
            warnings.append("no published price: a draft here may cost more than expected")
    return score, tuple(reasons), tuple(warnings)


def _cheaper_resolution(fit: _Fit, shot: Shot) -> str:
    """The cheapest published price on the same route at a lower resolution, in words ("" if none)."""
    facts, route = fit.facts, fit.route
    if facts is None or route is None:
        return ""
    lines = RESOLUTION_LINES.get(shot.resolution, 0)
    audio = facts.audio == "always" or (shot.audio and facts.audio != "none")
    known: dict[str, float] = {}
    for res in facts.resolutions:
        if RESOLUTION_LINES.get(res, 0) < lines:
            quote = price_for(route, res, facts.tier_for(res), audio)
            if quote is not None:
                known[res] = quote.per_second
    if not known:
        return ""
    res, price = min(known.items(), key=lambda kv: kv[1])
    return f"at {res} it costs {_usd(price)}"


def _plain_reason(fit: _Fit, shot: Shot, found: Found) -> str:
    assert fit.facts is not None
    model = fit.facts.model
    offers = [f"{_fmt(shot.duration_s)} at {fit.res_used}", shot.aspect]
    if any(abs(f - shot.fps) < 0.01 for f in fit.facts.frame_rates):
        offers.append(f"{shot.fps:g} fps")
    sound = ", with sound" if shot.audio else ""
    makes = f"{model.name} makes what the shot asks: {', '.join(offers)}{sound}"
    if not found.rules:
        return f"no job in the article singles this shot out; {makes}"
    return f"{makes}, though it is not known for this shot's job: {_token('jobs')}"


def _fit(facts: RouteFacts, shot: Shot, hold: float, warnings: list[str]) -> float:
    """Score change for how well the shot's settings suit the route (tie-breaks by fit, not price)."""
    delta = 0.0
    seconds = shot.duration_s
    if seconds > hold + 1e-6:
        delta -= 2.0 * (seconds - hold)
        warnings.append(f"holds a coherent take for about {_fmt(hold)}; the shot's {_fmt(seconds)} may drift "
                        "after that")
    if facts.resolutions and shot.resolution not in facts.resolutions:
        used = _res_used(facts, shot.resolution)
        if RESOLUTION_LINES.get(shot.resolution, 0) > RESOLUTION_LINES.get(used, 0):
            delta -= 15.0
            warnings.append(f"renders at most {used}, not {shot.resolution}")
        else:
            delta -= 3.0
            warnings.append(f"does not offer {shot.resolution}; {used} is the closest")
    if facts.frame_rates:
        if any(abs(f - shot.fps) < 0.01 for f in facts.frame_rates):
            delta += 1.0  # a documented match is a better fit than an undocumented one
        else:
            delta -= 1.0
            rates = "/".join(f"{f:g}" for f in sorted(facts.frame_rates))
            warnings.append(f"renders at {rates} fps, not {shot.fps:g}")
    if facts.aspect_ratios and shot.aspect not in facts.aspect_ratios:
        warnings.append(f"takes its {shot.aspect} aspect from the start image "
                        f"(text-to-video is {', '.join(facts.aspect_ratios)})")
    if facts.audio == "always" and not shot.audio:
        delta -= 2.0
    return delta


def _rank_key(c: Candidate) -> tuple[bool, float, bool, float, str]:
    # Refused after accepted; then fit; then a verified price before an unknown or unverified one, cheaper
    # first; then the catalog id, so the order is stable and owes nothing to a guess.
    price = c.price_per_second if c.price_verified else None
    return (not c.accepted, -c.score, price is None, price if price is not None else 0.0, c.model.id)


# ---------------------------------------------------------------------------------------- public API


def recommend(
    shot: Shot, project: Project | None, catalog: Catalog, *, usage: dict[str, int] | None = None,
    providers: Collection[str] | None = None,
) -> Recommendation:
    """Rank the catalog's live models for ``shot``; ``usage`` (from ``character_usage``) saves a scan;
    ``providers`` limits the routes to those set up (default: every route, as the planner's default)."""
    prep = _prepare(catalog, frozenset(providers) if providers is not None else None)
    ctx = _shot_context(prep, shot, project, usage)
    key = (_settings_key(shot, ctx), ctx.found.rules)
    plan = prep.plans.get(key)
    if plan is None:
        plan = _plan(prep, shot, ctx, project)
        if len(prep.plans) > PLAN_MEMO_LIMIT:  # arbitrary durations could grow it without bound
            prep.plans.clear()
        prep.plans[key] = plan
    triggers = dict(zip(ctx.found.rules, ctx.found.why, strict=True))
    rec = Recommendation(
        shot.id,
        candidates=list(plan.ranked),
        excluded=list(plan.excluded),
        notes=list(plan.notes),
        message=plan.message,
        rules=list(ctx.found.rules),
        triggers=triggers,
        split=plan.split,
        tokens={**triggers, "who": ctx.character_image or "",
                "jobs": "; ".join(f"{RULES[k].job} ({why})" for k, why in triggers.items())},
    )
    if not shot.audio and shot.dialogue.strip():
        rec.notes.append(
            "The shot has dialogue but sound is off: turn audio on to have it generated in sync "
            f"({RULES['synced_audio'].cite})."
        )
    if ctx.chained:
        rec.notes.append("This is a segment of a split shot: it starts on the last frame of the segment "
                         "before it, so only models that start from an image are ranked.")
    rec.warnings = _shot_warnings(shot, rec, plan)
    if shot.model_id:
        rec.pinned = _check_pin(shot, rec, catalog, project)
        rec.notes.append(rec.pinned.text)
    return rec


def _shot_warnings(shot: Shot, rec: Recommendation, plan: _Plan) -> list[str]:
    out = list(_failure_texts(shot))
    if plan.fps_warning:
        out.append(plan.fps_warning)
    return out


def _fps_warning(shot: Shot, best: Candidate | None) -> str:
    """Frame-rate advice for the first choice (article line 22: 24 fps film look, 30 fps video look)."""
    if best is None:
        return ""
    fps = shot.fps
    facts = _facts_of(best.model, best.route)
    rates = facts.frame_rates if facts is not None else ()
    if rates and not any(abs(f - fps) < 0.01 for f in rates):
        listed = "/".join(f"{f:g}" for f in sorted(rates))
        return (f"{fps:g} fps: {best.model.name} renders {listed} fps, so the clip will not be "
                f"{fps:g} fps without conversion; 24 fps is the film look, 30 fps the video look "
                f"(article line {WARNING_LINES['fps']})")
    if not rates and fps not in (24.0, 30.0):
        return (f"{fps:g} fps: {best.model.name} publishes no frame rates; most models render 24 fps "
                f"(article line {WARNING_LINES['fps']})")
    return ""


_FAILURE_MEMO: dict[tuple[object, ...], tuple[str, ...]] = {}


def _failure_texts(shot: Shot) -> tuple[str, ...]:
    layers = shot.layers
    key = (shot.size, layers.subject, layers.action, layers.environment, layers.camera)
    found = _FAILURE_MEMO.get(key)
    if found is None:
        found = tuple(f"{issue.message} (article line {WARNING_LINES[issue.code]})"
                      for issue in failure_warnings(shot))
        if len(_FAILURE_MEMO) > PLAN_MEMO_LIMIT:
            _FAILURE_MEMO.clear()
        _FAILURE_MEMO[key] = found
    return found


def _check_pin(shot: Shot, rec: Recommendation, catalog: Catalog, project: Project | None) -> PinCheck:
    model_id = shot.model_id or ""
    model = catalog.find(model_id)
    if model is None:
        return PinCheck(model_id, None, None, (), f"Your choice {model_id!r} is not in the catalog; the "
                        "recommended model is used instead.")
    rank = next((i for i, mid in enumerate(rec.ranked_ids(), 1) if mid == model.id), None)
    ranked = rec._raw[rank - 1] if rank is not None else None
    if ranked is not None:
        problems = ranked.problems  # on the route its job would take
    else:
        problems = tuple(p.message for p in check_shot(shot, model, project=project) if p.blocking)
    if not model.is_live:
        when = model.retired_on.isoformat() if model.retired_on else "an earlier date"
        text = (f"Your choice {model.name} was retired on {when} and can no longer generate. "
                f"{successor_reason(model, catalog)}")
    elif rank is None:
        why = next((r for m, r in rec.excluded if m.id == model.id), "")
        text = f"Your choice {model.name} cannot make this shot: it {why}." if why else (
            f"Your choice {model.name} is not a generation model.")
    elif problems:
        text = (f"Your choice {model.name} (#{rank} here) cannot take the shot as set: "
                + " ".join(problems))
    else:
        text = f"Your choice {model.name} can make this shot as set (#{rank} here)."
    return PinCheck(model_id, model, rank, problems, text)


def _plan(prep: _PreparedCatalog, shot: Shot, ctx: _Context, project: Project | None) -> _Plan:
    """The ranked models, exclusions, notes and message for one combination of shot settings."""
    candidates: list[Candidate] = []
    unable: list[tuple[ModelSpec, str]] = []
    skey = _settings_key(shot, ctx)
    rules = ctx.found.rules
    for p, fit in zip(prep.models, _fits(prep, shot, ctx, project), strict=True):
        if fit.exclusion is not None:
            unable.append((p.model, fit.exclusion))
            continue
        # A model's candidate depends only on the rules that touch it: shared across plans.
        relevant = tuple(k for k in rules if k in p.touching)
        memo_key = (skey, p.model.id, relevant, bool(rules))
        cand = prep.candidates.get(memo_key)
        if cand is None:
            if len(prep.candidates) > 16 * PLAN_MEMO_LIMIT:
                prep.candidates.clear()
            cand = prep.candidates[memo_key] = _score(p, fit, shot, ctx, prep)
        candidates.append(cand)
    candidates.sort(key=_rank_key)
    split = _split_offer(prep, shot, ctx, project)
    notes = _pick_notes(prep, ctx, candidates, dict((m.id, r) for m, r in unable), shot, split)
    if "portrait" in ctx.found.rules:
        notes.append(f"Add a reference image of the character: {RULES['character_closeup'].job} start from "
                     f"one ({RULES['character_closeup'].cite}).")
    excluded = [*unable, *prep.retired]
    message = "" if candidates else _nothing_fits(shot, excluded, split)
    return _Plan(candidates, excluded, notes, message, split,
                 _fps_warning(shot, candidates[0] if candidates else None))


def _pick_notes(
    prep: _PreparedCatalog, ctx: _Context, candidates: list[Candidate], excluded: dict[str, str], shot: Shot,
    split: SplitOffer | None,
) -> list[str]:
    notes: list[str] = []
    ranks = {c.model.id: i for i, c in enumerate(candidates, 1)}
    first = candidates[0].model if candidates else None
    said: set[tuple[str, str]] = set()  # (pick, successor) already explained: one note for Sora's many jobs
    for key in ctx.found.rules:
        rule = RULES[key]
        for pick, live in prep.picks.get(key, ()):
            if not pick.is_live:
                if (pick.id, key) in said:
                    continue
                jobs = [f"{RULES[k].job} ({RULES[k].cite})" for k in ctx.found.rules
                        if any(pk.id == pick.id for pk, _ in prep.picks.get(k, ()))]
                said.update((pick.id, k) for k in ctx.found.rules)
                when = pick.retired_on.isoformat() if pick.retired_on else "an earlier date"
                why = prep.successor_why.get(pick.id)
                if why is None:
                    why = prep.successor_why[pick.id] = successor_reason(pick, prep.catalog)
                note = f"{pick.name}, the article's pick for {'; '.join(jobs)}, was retired on {when}. {why}"
                if live is None:
                    notes.append(note)
                elif live.id in ranks:
                    where = "first here" if live is first else f"#{ranks[live.id]} here"
                    refused = candidates[ranks[live.id] - 1].problems
                    tail = f"; the shot check refuses it as set: {' '.join(refused)}" if refused else "."
                    notes.append(f"{note} {live.name} ranks {where}{tail}")
                else:
                    why = excluded.get(live.id, "is not available")
                    tail = f" First here: {first.name}." if first is not None else ""
                    if split is not None:
                        tail += " A split into segments is offered."
                    notes.append(f"{note} {live.name} cannot make this shot: it {why}.{tail}")
            elif pick.id in excluded:
                notes.append(f"{pick.name}, the article's pick for {rule.job} ({rule.cite}), cannot do this "
                             f"shot: it {excluded[pick.id]}.{_pick_fix(pick, shot)}")
            elif pick.id in ranks and candidates[ranks[pick.id] - 1].problems:
                cand = candidates[ranks[pick.id] - 1]
                notes.append(f"{pick.name}, the article's pick for {rule.job} ({rule.cite}), cannot take the "
                             f"shot as set: {' '.join(cand.problems)}{_pick_fix(pick, shot)}")
    return notes


def _pick_fix(pick: ModelSpec, shot: Shot) -> str:
    """What to change so the article's pick can take the shot (durations by resolution, mostly)."""
    facts = _facts_of(pick)
    if facts is None:
        return ""
    limited = facts.durations_by_resolution.get(shot.resolution)
    if limited and shot.duration_s > max(limited) + 1e-6:
        longer = [r for r in facts.resolutions if r not in facts.durations_by_resolution]
        if longer and facts.durations:
            return f" At {', '.join(longer)} it makes up to {_fmt(max(facts.durations))}."
    return ""


# --------------------------------------------------------------------------------------- long shots


def split_durations(
    model: ModelSpec, seconds: float, resolution: str, route: Route | None = None
) -> tuple[float, ...]:
    """Segment lengths the route (default: the model's first) makes at ``resolution`` that together cover
    ``seconds``: each within the coherent hold, as even as the allowed lengths permit."""
    facts = _facts_of(model, route)
    if facts is None:
        return ()
    hold = hold_seconds(facts, resolution)
    if hold <= 0:
        return ()
    allowed: list[float] = []
    if facts.continuous is None:
        allowed = [d for d in facts.durations_at(_res_used(facts, resolution)) if d <= hold + 1e-6]
    count = max(1, math.ceil(seconds / hold - 1e-9))
    even = seconds / count

    def at_least(value: float) -> float:
        if not allowed:
            return round(value, 3)
        fitting = [d for d in allowed if d >= value - 1e-6]
        return min(fitting) if fitting else max(allowed)

    each = at_least(even)
    rest = seconds - each * (count - 1)
    if rest <= 1e-6:
        count -= 1
        rest = seconds - each * (count - 1)
    return (*([each] * (count - 1)), at_least(rest))


def _split_offer(
    prep: _PreparedCatalog, shot: Shot, ctx: _Context, project: Project | None
) -> SplitOffer | None:
    """Offer a split when no model holds the whole shot in one coherent take."""
    seconds = shot.duration_s
    if seconds <= 0:
        return None
    resolution = shot.resolution
    for fit in _fits(prep, shot, ctx, project):
        if fit.exclusion is None and fit.hold >= seconds - 1e-6:
            return None  # someone holds it in one take: no split needed
    seg_ctx = _chained(ctx)
    probe = shot.model_copy(update={"chain_from": "previous", "duration_s": 1.0})
    holds = [hold_seconds(route_facts(p.model, r), resolution) for p in prep.models for r in p.routes
             if _exclusion(route_facts(p.model, r), probe, seg_ctx) is None]
    if not holds:
        return None
    count = math.ceil(seconds / max(holds) - 1e-9)
    length = float(math.ceil(seconds / count))
    segment = shot.model_copy(update={"chain_from": "previous", "duration_s": length})
    scored = sorted((_score(p, fit, segment, seg_ctx, prep)
                     for p, fit in zip(prep.models, _fits(prep, segment, seg_ctx, project), strict=True)
                     if fit.exclusion is None), key=_rank_key)
    if not scored:
        return None
    model, route = scored[0].model, scored[0].route
    parts = split_durations(model, seconds, resolution, route)
    if len(parts) < 2:
        return None
    lengths = ", ".join(_fmt(d) for d in parts)
    holder, longest = max(((p.model, hold_seconds(route_facts(p.model, r), resolution))
                           for p in prep.models for r in p.routes), key=lambda mh: mh[1])
    text = (f"{_fmt(seconds)} is longer than any live model holds in one coherent take (the longest: "
            f"{holder.name}, about {_fmt(longest)} at {resolution}). Split it into {len(parts)} segments "
            f"({lengths}) on {model.name}, chained by frame: each segment starts on the last frame of the "
            f"one before ({RULES['long_take'].cite}: most models cap at 5–10 s and need assembly).")
    return SplitOffer(model, parts, text)


def _chained(ctx: _Context) -> _Context:
    return _Context(True, True, ctx.has_end, True, ctx.character_image, ctx.found, ctx.images)


def clear_memos() -> None:
    """Forget the per-text memos (the per-catalog ones go with their catalog); for benchmarks and tests."""
    from shotplanner.core import lint, recommend_rules

    _FAILURE_MEMO.clear()
    lint._search.cache_clear()
    recommend_rules.clear_memos()


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


_FIXES = (
    ("renders only", "choose another aspect ratio or add a start image"),
    ("makes silent", "turn sound off and add it in the edit"),
    ("works only from a start image", "add a start image"),
    ("takes no end frame", "remove the end frame"),
)


def _nothing_fits(shot: Shot, excluded: list[tuple[ModelSpec, str]], split: SplitOffer | None) -> str:
    # The fewest changes that would let some model take the shot (never a fix that would not help).
    best_fixes: list[str] | None = None
    for model, reason in excluded:
        if reason.startswith("retired"):
            continue
        fixes: list[str] = []
        for part in reason.split("; "):
            if "makes at most" in part:
                facts = _facts_of(model)
                top = _fmt(_max_at(facts, shot.resolution) if facts is not None else model.max_duration)
                fixes.append(_split_fix(split) if split is not None
                             else f"shorten it to {top} for {model.name} or split it into several shots")
                continue
            fix = next((f for words, f in _FIXES if words in part), None)
            if fix is None:
                break
            fixes.append(fix)
        else:
            if best_fixes is None or len(fixes) < len(best_fixes):
                best_fixes = fixes
    asked = f"{_fmt(shot.duration_s)}, {shot.aspect}" + (", with sound" if shot.audio else "")
    text = f"No live model in the catalog can make this shot ({asked})."
    if best_fixes:
        text += " To make it possible: " + "; ".join(best_fixes) + "."
    elif split is not None:
        text += f" To make it possible: {_split_fix(split)}."
    return text


def _split_fix(split: SplitOffer) -> str:
    return f"split it into {len(split.segments)} segments on {split.model.name} (offered)"
