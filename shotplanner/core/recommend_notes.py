"""The model picker's explanations beyond each model's reasons: notes on the article's picks (retired,
excluded, refused as set), the check of the user's own choice, what would make an impossible shot
possible, and the shot-level warnings (what every model gets wrong, frame-rate advice).
"""

from __future__ import annotations

from shotplanner.core.catalog import Catalog
from shotplanner.core.catalog_schema import ModelSpec
from shotplanner.core.lint import failure_warnings
from shotplanner.core.models import Project, Shot
from shotplanner.core.recommend_fit import facts_of, fmt_seconds, max_duration_at
from shotplanner.core.recommend_prepared import Plan, PreparedCatalog, ShotContext
from shotplanner.core.recommend_result import Candidate, PinCheck, Recommendation, SplitOffer
from shotplanner.core.recommend_rules import RULES, WARNING_LINES
from shotplanner.core.recommend_weights import PLAN_MEMO_LIMIT
from shotplanner.core.validation import check_shot


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


def shot_warnings(shot: Shot, rec: Recommendation, plan: Plan) -> list[str]:
    out = list(failure_texts(shot))
    if plan.fps_warning:
        out.append(plan.fps_warning)
    return out


def fps_warning(shot: Shot, best: Candidate | None) -> str:
    """Frame-rate advice for the first choice (article line 22: 24 fps film look, 30 fps video look)."""
    if best is None:
        return ""
    fps = shot.fps
    facts = facts_of(best.model, best.route)
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


def failure_texts(shot: Shot) -> tuple[str, ...]:
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


def check_pin(shot: Shot, rec: Recommendation, catalog: Catalog, project: Project | None) -> PinCheck:
    model_id = shot.model_id or ""
    model = catalog.find(model_id)
    if model is None:
        return PinCheck(model_id, None, None, (), f"Your choice {model_id!r} is not in the catalog; the "
                        "recommended model is used instead.")
    rank = next((i for i, mid in enumerate(rec.ranked_ids(), 1) if mid == model.id), None)
    ranked = rec.raw[rank - 1] if rank is not None else None
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


def pick_notes(
    prep: PreparedCatalog, ctx: ShotContext, candidates: list[Candidate], excluded: dict[str, str],
    shot: Shot, split: SplitOffer | None,
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
    facts = facts_of(pick)
    if facts is None:
        return ""
    limited = facts.durations_by_resolution.get(shot.resolution)
    if limited and shot.duration_s > max(limited) + 1e-6:
        longer = [r for r in facts.resolutions if r not in facts.durations_by_resolution]
        if longer and facts.durations:
            return f" At {', '.join(longer)} it makes up to {fmt_seconds(max(facts.durations))}."
    return ""


_FIXES = (
    ("renders only", "choose another aspect ratio or add a start image"),
    ("makes silent", "turn sound off and add it in the edit"),
    ("works only from a start image", "add a start image"),
    ("takes no end frame", "remove the end frame"),
)


def nothing_fits(shot: Shot, excluded: list[tuple[ModelSpec, str]], split: SplitOffer | None) -> str:
    # The fewest changes that would let some model take the shot (never a fix that would not help).
    best_fixes: list[str] | None = None
    for model, reason in excluded:
        if reason.startswith("retired"):
            continue
        fixes: list[str] = []
        for part in reason.split("; "):
            if "makes at most" in part:
                facts = facts_of(model)
                top = fmt_seconds(max_duration_at(facts, shot.resolution) if facts is not None
                                  else model.max_duration)
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
    asked = f"{fmt_seconds(shot.duration_s)}, {shot.aspect}" + (", with sound" if shot.audio else "")
    text = f"No live model in the catalog can make this shot ({asked})."
    if best_fixes:
        text += " To make it possible: " + "; ".join(best_fixes) + "."
    elif split is not None:
        text += f" To make it possible: {_split_fix(split)}."
    return text


def _split_fix(split: SplitOffer) -> str:
    return f"split it into {len(split.segments)} segments on {split.model.name} (offered)"


def clear_memos() -> None:
    _FAILURE_MEMO.clear()
