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

This module assembles the answer; the parts live beside it: ``recommend_result`` (what is answered),
``recommend_prepared`` (the prepared catalog and the shot's context), ``recommend_fit`` (routes and hard
limits), ``recommend_score`` (the ranking), ``recommend_notes`` (the explanations), ``recommend_split``
(long shots), ``recommend_weights`` (the numbers).
"""

from __future__ import annotations

from collections.abc import Collection

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import ModelSpec
from shotplanner.core.models import Project, Shot
from shotplanner.core.recommend_fit import fits
from shotplanner.core.recommend_notes import check_pin, fps_warning, nothing_fits, pick_notes, shot_warnings
from shotplanner.core.recommend_prepared import (
    Plan,
    PreparedCatalog,
    ShotContext,
    character_usage,
    prepare,
    settings_key,
    shot_context,
)
from shotplanner.core.recommend_result import Candidate, Recommendation
from shotplanner.core.recommend_rules import RULES
from shotplanner.core.recommend_score import rank_key, score_model
from shotplanner.core.recommend_split import split_offer
from shotplanner.core.recommend_weights import PLAN_MEMO_LIMIT

__all__ = ["clear_memos", "recommend", "recommend_all", "resolve_model"]


def recommend(
    shot: Shot, project: Project | None, catalog: Catalog, *, usage: dict[str, int] | None = None,
    providers: Collection[str] | None = None,
) -> Recommendation:
    """Rank the catalog's live models for ``shot``; ``usage`` (from ``character_usage``) saves a scan;
    ``providers`` limits the routes to those set up (default: every route, as the planner's default)."""
    prep = prepare(catalog, frozenset(providers) if providers is not None else None)
    ctx = shot_context(prep, shot, project, usage)
    key = (settings_key(shot, ctx), ctx.found.rules)
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
    rec.warnings = shot_warnings(shot, rec, plan)
    if shot.model_id:
        rec.pinned = check_pin(shot, rec, catalog, project)
        rec.notes.append(rec.pinned.text)
    return rec


def _plan(prep: PreparedCatalog, shot: Shot, ctx: ShotContext, project: Project | None) -> Plan:
    """The ranked models, exclusions, notes and message for one combination of shot settings."""
    candidates: list[Candidate] = []
    unable: list[tuple[ModelSpec, str]] = []
    skey = settings_key(shot, ctx)
    rules = ctx.found.rules
    for p, fit in zip(prep.models, fits(prep, shot, ctx, project), strict=True):
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
            cand = prep.candidates[memo_key] = score_model(p, fit, shot, ctx, prep)
        candidates.append(cand)
    candidates.sort(key=rank_key)
    split = split_offer(prep, shot, ctx, project)
    notes = pick_notes(prep, ctx, candidates, dict((m.id, r) for m, r in unable), shot, split)
    if "portrait" in ctx.found.rules:
        notes.append(f"Add a reference image of the character: {RULES['character_closeup'].job} start from "
                     f"one ({RULES['character_closeup'].cite}).")
    excluded = [*unable, *prep.retired]
    message = "" if candidates else nothing_fits(shot, excluded, split)
    return Plan(candidates, excluded, notes, message, split,
                 fps_warning(shot, candidates[0] if candidates else None))


def clear_memos() -> None:
    """Forget the per-text memos (the per-catalog ones go with their catalog); for benchmarks and tests."""
    from shotplanner.core import lint, recommend_notes, recommend_rules

    recommend_notes.clear_memos()
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
