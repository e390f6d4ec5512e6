"""The ranking: each model's score, reasons and warnings for the article rules a shot sets off, and the
order of the candidates.
"""

from __future__ import annotations

from shotplanner.core.models import RESOLUTION_LINES, Shot
from shotplanner.core.recommend_fit import Fit, fmt_seconds, fmt_usd
from shotplanner.core.recommend_prepared import PreparedCatalog, PreparedModel, ShotContext, settings_key
from shotplanner.core.recommend_result import Candidate, token
from shotplanner.core.recommend_rules import RULES, Found, Rule
from shotplanner.core.recommend_weights import (
    DRAFT_DAMPING,
    DRAFT_PRICE_CEILING,
    DRAFT_PRICE_WEIGHT,
    PICK_BONUS,
    PLAN_MEMO_LIMIT,
    UNDAMPED,
)
from shotplanner.core.routes import price_for


def _pick_reason(p: PreparedModel, rule: Rule, prep: PreparedCatalog) -> str | None:
    pick = p.picks.get(rule.key)
    if pick is None:
        return None
    if pick is p.model:
        return f"the article's pick for {rule.job} ({rule.cite})"
    return (f"the catalog's successor of {pick.name}, the article's pick for {rule.job} "
            f"({rule.cite})")


_Piece = tuple[float, tuple[str, ...], tuple[str, ...]]


def score_model(p: PreparedModel, fit: Fit, shot: Shot, ctx: ShotContext, prep: PreparedCatalog) -> Candidate:
    model = p.model
    score = p.base
    reasons: list[str] = []
    warnings: list[str] = []
    found = ctx.found
    skey = settings_key(shot, ctx)
    draft = "draft" in found.rules
    for key in found.rules:
        memo_key = (skey, key, model.id)
        piece = prep.pieces.get(memo_key)
        if piece is None:
            if len(prep.pieces) > 16 * PLAN_MEMO_LIMIT:
                prep.pieces.clear()
            piece = prep.pieces[memo_key] = _rule_piece(p, fit, key, shot, prep)
        # A draft is about speed and cost: the other jobs still show in the reasons but weigh a quarter.
        damp = DRAFT_DAMPING if draft and key not in UNDAMPED else 1.0
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


def _rule_piece(p: PreparedModel, fit: Fit, key: str, shot: Shot, prep: PreparedCatalog) -> _Piece:
    """One rule's score change, reasons and warnings for one model (the trigger is a token, filled in
    per shot): depends only on the model, the rule and the shot's settings."""
    model = p.model
    score = 0.0
    reasons: list[str] = []
    warnings: list[str] = []
    res_used = fit.res_used
    hold = fit.hold
    per_second = fit.per_second
    trigger = token(key)
    rule = RULES[key]
    if key == "recurring_character":
        if model.image_input.start_frame or model.image_input.reference:
            score += rule.bonus + (5.0 if "character_closeup" in p.strengths else 0.0)
            reasons.append(f"{trigger}: {model.name} {rule.offer}, which keeps them consistent from cut "
                           f"to cut ({rule.cite})")
        else:
            score -= 10.0
            warnings.append(f"cannot take {token('who')}'s reference image; the character may "
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
            offer += f" (up to {fmt_seconds(hold)} at {res_used})"
        if key == "draft" and per_second is not None:
            dear = per_second > DRAFT_PRICE_CEILING
            offer = (f"is a quick draft model, though at {shot.resolution} it costs {fmt_usd(per_second)}"
                     if dear else f"{offer} ({fmt_usd(per_second)} at {shot.resolution})")
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
                warnings.append(f"costs {fmt_usd(per_second)} at {shot.resolution}, dear for a draft"
                                + (f"; {cheaper}" if cheaper else ""))
        else:
            warnings.append("no published price: a draft here may cost more than expected")
    return score, tuple(reasons), tuple(warnings)


def _cheaper_resolution(fit: Fit, shot: Shot) -> str:
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
    return f"at {res} it costs {fmt_usd(price)}"


def _plain_reason(fit: Fit, shot: Shot, found: Found) -> str:
    assert fit.facts is not None
    model = fit.facts.model
    offers = [f"{fmt_seconds(shot.duration_s)} at {fit.res_used}", shot.aspect]
    if any(abs(f - shot.fps) < 0.01 for f in fit.facts.frame_rates):
        offers.append(f"{shot.fps:g} fps")
    sound = ", with sound" if shot.audio else ""
    makes = f"{model.name} makes what the shot asks: {', '.join(offers)}{sound}"
    if not found.rules:
        return f"no job in the article singles this shot out; {makes}"
    return f"{makes}, though it is not known for this shot's job: {token('jobs')}"


def rank_key(c: Candidate) -> tuple[bool, float, bool, float, str]:
    # Refused after accepted; then fit; then a verified price before an unknown or unverified one, cheaper
    # first; then the catalog id, so the order is stable and owes nothing to a guess.
    price = c.price_per_second if c.price_verified else None
    return (not c.accepted, -c.score, price is None, price if price is not None else 0.0, c.model.id)
