"""The model picker's weights and thresholds: how much a pick, a preview, a draft's price weigh.

Facts, not logic: ``recommend_prepared``, ``recommend_fit`` and ``recommend_score`` read them.
"""

from __future__ import annotations

import re

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
UNDAMPED = frozenset({"draft", "synced_audio", "4k_detail"})
#: A price source that says so itself ("about $0.06/s (unverified)", "fal's price not verified").
UNVERIFIED = re.compile(r"\b(?:unverified|not verified)\b", re.IGNORECASE)

#: Rules that touch every model (hold length, sound, a draft's price, a recurring character's image).
TOUCH_ALL = frozenset({"long_take", "establishing", "synced_audio", "draft", "recurring_character"})
