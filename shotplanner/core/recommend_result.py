"""What the model picker answers for one shot: the ranked candidates, the split offer, the check of the
user's own pick, and the ``Recommendation`` that holds them.

Candidates are shared between shots with the same settings; what in one shot set a rule off is kept as a
token in their reasons (``token``) and written in when the recommendation is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from shotplanner.core.catalog_schema import ModelSpec, Route


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

    @property
    def raw(self) -> list[Candidate]:
        """The candidates as shared between shots, reasons not yet filled in (problems and ranks are the
        same as ``candidates``')."""
        return self._raw

    def ranked_ids(self) -> list[str]:
        return [c.model.id for c in (self._rendered if self._rendered is not None else self._raw)]


def token(key: str) -> str:
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
