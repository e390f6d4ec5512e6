"""A recommendation written out: as JSON-ready data (``shotplanner recommend --json``) and as text lines.

Both carry the same facts — the rules with their article lines and triggers, the ranked models with
reasons, warnings, the shot check's problems and prices (``null`` when unknown), the exclusions, the
shot-level warnings (hands, legible text, fast detail, frame rate), the split offer and the check of a
pinned model — so a script and a reader see one answer.
"""

from __future__ import annotations

from typing import Any

from shotplanner.core.models import Shot
from shotplanner.core.recommend_result import Candidate, Recommendation
from shotplanner.core.recommend_rules import RULES


def _candidate(c: Candidate, rank: int) -> dict[str, Any]:
    return {
        "rank": rank,
        "model_id": c.model.id,
        "name": c.model.name,
        "lifecycle": c.model.lifecycle.value,
        "provider": c.route.provider if c.route is not None else None,
        "score": c.score,
        "accepted": c.accepted,
        "price_per_second_usd": c.price_per_second,
        "price_verified": c.price_verified,
        "cost_usd": c.cost_usd,
        "reasons": list(c.reasons),
        "warnings": list(c.warnings),
        "problems": list(c.problems),
    }


def to_dict(shot: Shot, rec: Recommendation, scene_number: str = "") -> dict[str, Any]:
    best = rec.best
    return {
        "shot_id": shot.id,
        "number": shot.number,
        "scene": scene_number,
        "size": shot.size.value,
        "duration_s": shot.duration_s,
        "resolution": shot.resolution,
        "fps": shot.fps,
        "rules": [
            {"key": key, "job": RULES[key].job, "article_lines": list(RULES[key].lines), "trigger": why}
            for key, why in rec.triggers.items()
        ],
        "best": best.model.id if best is not None else None,
        "candidates": [_candidate(c, i) for i, c in enumerate(rec.candidates, 1)],
        "excluded": [{"model_id": m.id, "name": m.name, "reason": r} for m, r in rec.excluded],
        "warnings": list(rec.warnings),
        "notes": list(rec.notes),
        "message": rec.message,
        "split": None if rec.split is None else {
            "model_id": rec.split.model.id, "segments_s": list(rec.split.segments), "text": rec.split.text,
        },
        "pinned": None if rec.pinned is None else {
            "model_id": rec.pinned.model_id,
            "live": rec.pinned.model.is_live if rec.pinned.model is not None else None,
            "rank": rec.pinned.rank,
            "problems": list(rec.pinned.problems),
            "text": rec.pinned.text,
        },
    }


def text_lines(shot: Shot, rec: Recommendation) -> list[str]:
    """The plain-text block for one shot (indented under its header line)."""
    pad = "           "
    head = f"  {shot.number or '?':<6} {shot.size.value:<6} {shot.duration_s:g} s"
    best = rec.best
    lines: list[str] = []
    if best is None:
        lines.append(f"{head}  no model can do this shot: {rec.message}")
    else:
        via = f" via {best.route.provider}" if best.route is not None else ""
        price = (f"${best.price_per_second:.3f}/s" if best.price_per_second is not None else "price unknown")
        lines.append(f"{head}  → {best.model.name} ({best.model.id}{via}, {price}), score {best.score:.2f}")
        lines += [f"{pad}why: {r}" for r in best.reasons]
        lines += [f"{pad}warning: {w}" for w in best.warnings]
        lines += [f"{pad}must change: {p}" for p in best.problems]
    lines += [f"{pad}shot warning: {w}" for w in rec.warnings]
    if rec.split is not None:
        lines.append(f"{pad}split: {rec.split.text}")
    lines += [f"{pad}note: {n}" for n in rec.notes]
    return lines
