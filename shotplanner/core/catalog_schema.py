"""The shape of a catalog entry: what a video model can do, where it runs, what it costs, whether it lives.

The entries themselves are data (``resources/catalog.json`` plus an optional user file); the loader
lives in ``core.catalog``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shotplanner.core.routes import RouteFields, legacy_prices

ProviderName = Literal["fal", "replicate", "kling", "openai", "local"]


class Lifecycle(StrEnum):
    LIVE = "live"
    PREVIEW = "preview"
    RETIRED = "retired"


class Route(RouteFields):
    """One way to reach a model: a provider, its endpoints, and what they narrow (``core.routes``)."""

    model_config = ConfigDict(extra="forbid")

    provider: ProviderName
    model: str  # text-to-video id / endpoint
    image_model: str | None = None  # image-to-video id where the provider splits them
    price_per_second: float | None = None  # USD; None when the source gives no figure
    price_per_second_audio: float | None = None
    price_source: str = ""
    price_date: date | None = None
    note: str = ""
    #: Per-second prices that differ by output resolution (e.g. Veo 3.1 4K); falls back to the fields above.
    price_per_second_by_resolution: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _prices_from_flat_fields(self) -> Route:
        # A route that lists no ``prices`` (a user's file in the older shape) still has its prices.
        if not self.prices:
            self.prices = legacy_prices(self)
        elif self.price_per_second is None and not self.price_per_second_by_resolution:
            # Readers of the flat fields (the recommender's price ranking) see the cheapest silent price.
            silent = [p for p in self.prices if p.audio is not True and (p.per == "second" or p.clip_seconds)]
            if silent:
                cheapest = min(silent, key=lambda p: p.usd / (p.clip_seconds or 1.0))
                self.price_per_second = cheapest.usd / (cheapest.clip_seconds or 1.0)
                self.price_source, self.price_date = cheapest.source, cheapest.date
        return self


class ImageInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_frame: bool = False
    end_frame: bool = False
    reference: bool = False


class ModelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # our stable id, e.g. "kling-v3"
    name: str  # what people call it, e.g. "Kling v3 Video"
    vendor: str = ""
    family: str = ""
    routes: list[Route] = Field(default_factory=list)
    durations: list[float] = Field(default_factory=list)  # allowed seconds; empty → duration_range
    duration_range: tuple[float, float] | None = None  # inclusive (min, max), integer steps
    resolutions: list[str] = Field(default_factory=list)
    aspect_ratios: list[str] = Field(default_factory=list)
    frame_rates: list[int] = Field(default_factory=list)  # empty: any rate, or not documented
    audio: Literal["none", "optional", "always"] = "none"
    image_input: ImageInput = Field(default_factory=ImageInput)
    image_required: bool = False  # image-to-video only
    strengths: list[str] = Field(default_factory=list)  # tags the recommender reads
    summary: str = ""
    #: The longest clip this model keeps coherent (the article's "long coherent duration"), seconds.
    coherent_seconds: float | None = None
    quality_tier: int = Field(default=2, ge=1, le=3)  # 1 draft … 3 flagship
    lifecycle: Lifecycle = Lifecycle.LIVE
    retired_on: date | None = None
    successor: str | None = None
    lifecycle_note: str = ""
    source: str = ""  # where the facts come from
    #: Other names people (and the reference article) use for this model, e.g. "Ray".
    aliases: list[str] = Field(default_factory=list)
    #: Durations allowed only at a given resolution (Hailuo: 1080p → 6 s only; Veo 3.1: 1080p/4K → 8 s).
    durations_by_resolution: dict[str, list[float]] = Field(default_factory=dict)
    #: With a start image the output takes the image's aspect, so any aspect is possible.
    image_sets_aspect: bool = False
    #: Needs a reference video of the performance (motion transfer), which a shot does not carry.
    needs_motion_video: bool = False
    #: Any duration inside ``duration_range`` works, not only whole seconds (the local animatic).
    continuous_duration: bool = False
    #: Above its top resolution it renders at its top and says so, instead of refusing (the animatic).
    caps_resolution: bool = False
    #: A shot that needs sound gets a scratch track (a guide, not synced sound): the animatic.
    scratch_audio: bool = False

    @property
    def is_live(self) -> bool:
        return self.lifecycle is not Lifecycle.RETIRED

    @property
    def max_duration(self) -> float:
        if self.durations:
            return max(self.durations)
        if self.duration_range:
            return self.duration_range[1]
        return 0.0

    def allowed_durations(self) -> list[float]:
        if self.durations:
            return sorted(self.durations)
        if self.duration_range:
            lo, hi = self.duration_range
            return [float(x) for x in range(int(lo), int(hi) + 1)]
        return []

    def allowed_durations_at(self, resolution: str) -> list[float]:
        """The durations allowed at ``resolution`` (some models shorten their choice at high resolution)."""
        limited = self.durations_by_resolution.get(resolution)
        return sorted(limited) if limited else self.allowed_durations()

    @property
    def min_duration(self) -> float:
        if self.durations:
            return min(self.durations)
        if self.duration_range:
            return self.duration_range[0]
        return 0.0
