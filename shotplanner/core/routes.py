"""Route facts: what one provider's endpoints for one model really offer, and how a shot maps onto them.

The catalog's model entry says what the model can do anywhere; a route (one provider) often offers less:
fewer durations at a resolution, no 1:1, audio only in its pro tier, an end frame only together with a
start frame, reference images only through one endpoint. ``RouteFacts`` is the model narrowed by its
route (the route's own value wins wherever it states one), and ``choose`` maps a shot onto it: which
endpoint takes the shot's images, which tier its resolution means, which images are really sent, and
what cannot be done. ``core.validation.check_shot``, ``core.cost`` and the request builders all read
the same choice, so a reason, a price and a request never disagree about what is sent.

No Qt, no network: these are facts from the catalog (``resources/catalog.json``), with their sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from shotplanner.core.catalog_schema import ModelSpec, Route
    from shotplanner.core.models import Project, Shot

#: What a shot hands a route: no image, a start frame, start and end frames, an end frame alone, or
#: reference images only (a character's sheet, a look) with no frame.
ImageMode = Literal["text", "start", "start_end", "end", "reference"]
IMAGE_MODES: tuple[ImageMode, ...] = ("text", "start", "start_end", "end", "reference")

#: How a route uses a reference image:
#: ``none``: it cannot; ``as_start``: as the first frame when the shot has none (image-to-video from the
#: reference, the article's "close-ups to Kling with a reference image"); ``reference_images``: a
#: reference-to-video input (Veo 3.1, Seedance 2.0, MiniMax H3) that cannot be combined with frames.
ReferenceUse = Literal["none", "as_start", "reference_images"]

AudioSupport = Literal["none", "optional", "always"]


class Endpoint(BaseModel):
    """One endpoint (fal endpoint id, Replicate model, Kling path + model_name) of a route."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    #: The image modes this endpoint takes.
    images: list[ImageMode] = Field(default_factory=lambda: list[ImageMode](["text"]))
    #: This endpoint renders only these resolutions (a tier's own endpoint); empty: the route's.
    resolutions: list[str] = Field(default_factory=list)
    #: Narrower durations / aspect ratios on this endpoint (Veo 3.1 reference-to-video: 8 s, 16:9).
    durations: list[float] = Field(default_factory=list)
    aspect_ratios: list[str] = Field(default_factory=list)
    #: The tier or mode this endpoint is (``standard`` / ``pro``); "" when the route has one tier.
    tier: str = ""
    #: The vendor input schema in ``resources/contracts`` (file stem); "" → derived from the id.
    contract: str = ""


class Price(BaseModel):
    """One published price: per second (or per clip) for a resolution, tier and audio setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usd: float
    per: Literal["second", "clip"] = "second"
    #: For a per-clip price: the clip length it is for (Kling v2.6: 5 s; 10 s is twice).
    clip_seconds: float | None = None
    resolution: str | None = None  # None: any resolution
    tier: str | None = None  # None: any tier
    audio: bool | None = None  # None: with or without sound
    source: str = ""
    date: dt.date | None = None

    def matches(self, resolution: str, tier: str, audio: bool) -> bool:
        return ((self.resolution is None or self.resolution == resolution)
                and (self.tier is None or self.tier == tier)
                and (self.audio is None or self.audio == audio))

    def specificity(self) -> int:
        return sum(x is not None for x in (self.resolution, self.tier, self.audio))


class RouteFields(BaseModel):
    """The narrowing facts a catalog route may state (mixed into ``catalog_schema.Route``).

    ``None`` (or an empty list/dict where noted) means "as the model": the route adds no limit.
    """

    endpoints: list[Endpoint] = Field(default_factory=list)  # empty: from model / image_model
    durations: list[float] | None = None
    duration_range: tuple[float, float] | None = None
    durations_by_resolution: dict[str, list[float]] | None = None
    resolutions: list[str] | None = None
    aspect_ratios: list[str] | None = None
    frame_rates: list[float] | None = None
    audio: AudioSupport | None = None
    #: The API turns audio on when the field is left out (Veo 3.1, Seedance, LTX): send it off explicitly.
    audio_default_on: bool = False
    #: Audio only in these tiers (Kling v2.6: pro); empty: every tier.
    audio_tiers: list[str] = Field(default_factory=list)
    #: The tier each resolution means (Kling ``std`` = 720p, ``pro`` = 1080p).
    tier_by_resolution: dict[str, str] = Field(default_factory=dict)
    references: ReferenceUse = "none"
    max_references: int = 0
    #: With a start frame the output follows the image's aspect (the aspect field is not sent).
    image_sets_aspect: bool | None = None
    prices: list[Price] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class RouteFacts:
    """A model as one route offers it."""

    model: ModelSpec
    route: Route
    durations: tuple[float, ...]  # allowed seconds (empty with ``continuous``)
    continuous: tuple[float, float] | None  # any length in this range (the local animatic)
    durations_by_resolution: dict[str, tuple[float, ...]]
    resolutions: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    frame_rates: tuple[float, ...]
    audio: AudioSupport
    audio_default_on: bool
    audio_tiers: tuple[str, ...]
    endpoints: tuple[Endpoint, ...]
    references: ReferenceUse
    max_references: int
    image_sets_aspect: bool
    tier_by_resolution: dict[str, str]

    @property
    def provider(self) -> str:
        return self.route.provider

    @property
    def label(self) -> str:
        """How messages name the route: "Kling v3 Video on fal"."""
        return f"{self.model.name} on {self.route.provider}"

    def durations_at(self, resolution: str | None) -> tuple[float, ...]:
        if resolution is not None and resolution in self.durations_by_resolution:
            return self.durations_by_resolution[resolution]
        return self.durations

    def duration_ok(self, seconds: float, resolution: str | None) -> bool:
        if self.continuous is not None:
            return self.continuous[0] <= seconds <= self.continuous[1]
        allowed = self.durations_at(resolution)
        return not allowed or any(abs(d - seconds) < 1e-6 for d in allowed)

    def nearest_duration(self, seconds: float, resolution: str | None) -> float:
        if self.continuous is not None:
            return min(max(seconds, self.continuous[0]), self.continuous[1])
        allowed = self.durations_at(resolution)
        if not allowed:
            return seconds
        return min(allowed, key=lambda d: (abs(d - seconds), -d))

    @property
    def max_duration(self) -> float:
        if self.continuous is not None:
            return self.continuous[1]
        return max(self.durations) if self.durations else 0.0

    def tier_for(self, resolution: str) -> str:
        return self.tier_by_resolution.get(resolution, "")

    def takes(self, mode: ImageMode) -> bool:
        return any(mode in e.images for e in self.endpoints)

    def endpoint_for(self, mode: ImageMode, resolution: str) -> Endpoint | None:
        """The endpoint for this image mode at this resolution (a tier's own endpoint first)."""
        fitting = [e for e in self.endpoints if mode in e.images]
        exact = [e for e in fitting if resolution in e.resolutions]
        if exact:
            return exact[0]
        open_ = [e for e in fitting if not e.resolutions]
        return open_[0] if open_ else None


#: (id(model), id(route)) → (model, route, facts). The entry holds the objects, so their ids stay theirs.
_FACTS: dict[tuple[int, int], tuple[ModelSpec, Route, RouteFacts]] = {}


def route_facts(model: ModelSpec, route: Route) -> RouteFacts:
    """The model narrowed by its route, memoised per (model, route) pair (treat catalogs as read-only)."""
    key = (id(model), id(route))
    hit = _FACTS.get(key)
    if hit is not None and hit[0] is model and hit[1] is route:
        return hit[2]
    if len(_FACTS) > 4096:
        _FACTS.clear()
    facts = _facts(model, route)
    _FACTS[key] = (model, route, facts)
    return facts


def _facts(model: ModelSpec, route: Route) -> RouteFacts:
    durations: tuple[float, ...]
    continuous: tuple[float, float] | None = None
    if route.durations is not None:
        durations = tuple(sorted(float(d) for d in route.durations))
    elif route.duration_range is not None:
        lo, hi = route.duration_range
        durations = tuple(float(x) for x in range(int(lo), int(hi) + 1))
    elif model.continuous_duration and model.duration_range:
        durations, continuous = (), (float(model.duration_range[0]), float(model.duration_range[1]))
    else:
        durations = tuple(float(d) for d in model.allowed_durations())
    by_res_src = (route.durations_by_resolution if route.durations_by_resolution is not None
                  else model.durations_by_resolution)
    by_res = {res: tuple(sorted(float(d) for d in ds)) for res, ds in by_res_src.items()}
    endpoints = tuple(route.endpoints) or _legacy_endpoints(model, route)
    audio: AudioSupport = route.audio if route.audio is not None else model.audio
    return RouteFacts(
        model=model,
        route=route,
        durations=durations,
        continuous=continuous,
        durations_by_resolution=by_res,
        resolutions=tuple(route.resolutions if route.resolutions is not None else model.resolutions),
        aspect_ratios=tuple(route.aspect_ratios if route.aspect_ratios is not None else model.aspect_ratios),
        frame_rates=tuple(float(f) for f in (route.frame_rates if route.frame_rates is not None
                                             else model.frame_rates)),
        audio=audio,
        audio_default_on=route.audio_default_on,
        audio_tiers=tuple(route.audio_tiers),
        endpoints=endpoints,
        references=route.references,
        max_references=route.max_references,
        image_sets_aspect=(route.image_sets_aspect if route.image_sets_aspect is not None
                           else model.image_sets_aspect),
        tier_by_resolution=dict(route.tier_by_resolution),
    )


def _legacy_endpoints(model: ModelSpec, route: Route) -> tuple[Endpoint, ...]:
    """A route written before endpoints were listed: text on ``model``, frames on ``image_model``."""
    frames: list[ImageMode] = []
    if model.image_input.start_frame:
        frames.append("start")
        if model.image_input.end_frame:
            frames.append("start_end")
    if route.image_model and route.image_model != route.model:
        text: list[ImageMode] = [] if model.image_required else ["text"]
        return (Endpoint(id=route.model, images=text or ["text"]),
                Endpoint(id=route.image_model, images=frames))
    images: list[ImageMode] = [*([] if model.image_required else list[ImageMode](["text"])), *frames]
    return (Endpoint(id=route.model, images=images or ["text"]),)


# --------------------------------------------------------------------------------------------- images


@dataclass(frozen=True, slots=True)
class ShotImages:
    """The images a shot brings, by role. Paths are relative to the project folder."""

    start: str | None = None
    end: str | None = None
    #: The shot's own reference images (role ``reference``).
    references: tuple[str, ...] = ()
    #: Reference sheets of the shot's characters: (character name, path).
    character_sheets: tuple[tuple[str, str], ...] = ()

    @property
    def all_references(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.references, *(p for _n, p in self.character_sheets))))


def shot_images(shot: Shot, project: Project | None) -> ShotImages:
    start = shot.image_for("start")
    end = shot.image_for("end")
    refs = tuple(r.path for r in shot.reference_images if r.role == "reference")
    sheets: list[tuple[str, str]] = []
    if project is not None:
        for cid in shot.character_ids:
            character = project.character(cid)
            if character is not None:
                sheets.extend((character.name, p) for p in character.reference_images)
    if start is not None and refs:
        from shotplanner.core.frames import is_frame_start

        if is_frame_start(shot, start):
            # The circled storyboard frame was made from the shot's own references: they travel in it, so
            # a route that takes only a first frame loses nothing asked for (a note, like a sheet).
            sheets[:0] = [("the shot", p) for p in refs]
            refs = ()
    return ShotImages(start.path if start else None, end.path if end else None, refs, tuple(sheets))


@dataclass(frozen=True, slots=True)
class Issue:
    """Something the route cannot do for this shot. ``blocking``: sending would be refused or would
    lose what the shot asks for; otherwise a note (a character's sheet the route cannot use)."""

    field: str
    message: str
    suggestion: object | None = None
    blocking: bool = True


@dataclass(frozen=True, slots=True)
class RouteChoice:
    """How one shot goes through one route: the endpoint, the tier, and exactly which images are sent."""

    facts: RouteFacts
    mode: ImageMode
    endpoint: Endpoint | None
    tier: str
    start: str | None  # what is sent as the first frame (may be a reference image, see ``start_from``)
    end: str | None
    references: tuple[str, ...]  # what is sent as reference images
    #: Where the first frame came from: "start" (the shot's start frame), "reference" (its reference
    #: image), "character:<name>" (that character's sheet), or "" (no first frame).
    start_from: str = ""
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def endpoint_id(self) -> str:
        return self.endpoint.id if self.endpoint is not None else ""

    @property
    def blocking(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.blocking)

    def describe_images(self) -> str:
        """What the request really does with images, in words (for reasons and confirmations)."""
        if self.start_from.startswith("character:"):
            text = f"starts from {self.start_from.split(':', 1)[1]}'s reference image"
        elif self.start_from == "reference":
            text = "starts from the shot's reference image"
        elif self.start_from == "start":
            text = "starts from the shot's start frame"
        else:
            text = ""
        if self.end:
            text += (" and " if text else "") + "ends on its end frame"
        if self.references:
            n = len(self.references)
            sent = f"sends {n} reference image{'s' if n != 1 else ''} (reference-to-video)"
            text += (" and " if text else "") + sent
        return text or "text-to-video (no image sent)"


def choose(shot: Shot, facts: RouteFacts, project: Project | None = None,
           images: ShotImages | None = None) -> RouteChoice:
    """Map a shot's images and settings onto a route: endpoint, tier, and what is really sent."""
    imgs = images if images is not None else shot_images(shot, project)
    issues: list[Issue] = []
    label = facts.label
    start, end = imgs.start, imgs.end
    start_from = "start" if start else ""
    refs_sent: tuple[str, ...] = ()
    explicit = imgs.references
    sheets = imgs.character_sheets

    def unused(why: str, *, sheet_names: tuple[str, ...] = ()) -> None:
        if explicit:
            issues.append(Issue("reference_images", f"{label} {why}; the shot's reference image would not be "
                                f"sent. Make it the start frame, or choose a route that takes references."))
        sheets_unused(why, sheet_names)

    def sheets_unused(why: str, names: tuple[str, ...]) -> None:
        if names:
            who = ", ".join(dict.fromkeys(names))
            issues.append(Issue("character_ids", f"{label} {why}; {who}'s reference sheet is not sent.",
                                blocking=False))

    sheet_names = tuple(n for n, _p in sheets)
    all_refs = imgs.all_references
    if all_refs:
        if facts.references == "as_start":
            if start is None:
                # Image-to-video from the reference: the article's close-up recipe.
                if explicit:
                    start, start_from = explicit[0], "reference"
                    if explicit[1:]:
                        issues.append(Issue("reference_images", f"{label} starts from one image; the shot's "
                                            "other reference images would not be sent."))
                    sheets_unused("starts from the shot's reference image", sheet_names)
                else:
                    start, start_from = sheets[0][1], f"character:{sheets[0][0]}"
                    sheets_unused("starts from one reference image", tuple(n for n, _p in sheets[1:]))
            else:
                unused("already starts from the shot's start frame and takes no further references",
                       sheet_names=sheet_names)
        elif facts.references == "reference_images":
            if start is None and end is None:
                cap = facts.max_references or len(all_refs)
                refs_sent = all_refs[:cap]
                if len(explicit) > cap:
                    issues.append(Issue("reference_images", f"{label} takes at most {cap} reference images; "
                                        f"the shot has {len(explicit)}."))
                elif len(all_refs) > cap:
                    left = tuple(n for n, p in sheets if p not in refs_sent)
                    sheets_unused(f"takes at most {cap} reference images", left)
            else:
                unused("cannot combine reference images with start or end frames", sheet_names=sheet_names)
        else:
            unused("takes no reference images", sheet_names=sheet_names)

    if start and end:
        mode: ImageMode = "start_end"
    elif start:
        mode = "start"
    elif end:
        mode = "end"
    elif refs_sent:
        mode = "reference"
    else:
        mode = "text"

    resolution = shot.resolution
    endpoint = facts.endpoint_for(mode, resolution)
    if endpoint is None:
        if mode == "end" and not facts.takes("start_end"):
            issues.append(Issue("reference_images", f"{label} takes no end frame; remove it, or choose a "
                                "route with start and end frames."))
        elif mode == "end":
            issues.append(Issue("reference_images", f"{label} takes an end frame only together with a start "
                                "frame; add a start frame or remove the end frame."))
        elif mode == "start_end" and facts.takes("start"):
            issues.append(Issue("reference_images", f"{label} takes no end frame; remove it, or choose a "
                                "route with start and end frames."))
        elif mode == "text" and not facts.takes("text"):
            issues.append(Issue("reference_images", f"{label} only works from an image: add a start frame."))
        elif mode in ("start", "start_end") and not facts.takes("start"):
            what = "the shot's start frame" if start_from == "start" else "a reference image as first frame"
            issues.append(Issue("reference_images",
                                f"{label} is text-to-video only; {what} would not be sent."))
        elif any(mode in e.images for e in facts.endpoints):
            tiers = sorted({r for e in facts.endpoints if mode in e.images for r in e.resolutions})
            issues.append(Issue("resolution", f"{label} takes this shot's images at {', '.join(tiers)} only, "
                                f"not {resolution}.", tiers[-1] if tiers else None))
        else:
            issues.append(Issue("reference_images", f"{label} cannot take these images."))
    tier = endpoint.tier if endpoint is not None and endpoint.tier else facts.tier_for(resolution)
    return RouteChoice(facts, mode, endpoint, tier, start, end, refs_sent, start_from, tuple(issues))


# --------------------------------------------------------------------------------------------- prices


@dataclass(frozen=True, slots=True)
class Quote:
    """A price that applies: USD per second (a per-clip price already turned into per second)."""

    per_second: float
    price: Price

    @property
    def source(self) -> str:
        when = f" ({self.price.date.isoformat()})" if self.price.date else ""
        return f"{self.price.source}{when}"


def price_for(route: Route, resolution: str, tier: str, audio: bool) -> Quote | None:
    """The most specific published price for this resolution, tier and audio; None when none is known.

    Never interpolated: a price for another resolution or without sound is not this one.
    """
    matching = [p for p in route.prices if p.matches(resolution, tier, audio)]
    if not matching:
        return None
    best = max(matching, key=lambda p: p.specificity())
    if best.per == "clip":
        if not best.clip_seconds:
            return None
        return Quote(best.usd / best.clip_seconds, best)
    return Quote(best.usd, best)


def legacy_prices(route: Route) -> list[Price]:
    """Prices from the older flat fields (per second, with audio, by resolution)."""
    out: list[Price] = []
    source, when = route.price_source, route.price_date
    for res, usd in route.price_per_second_by_resolution.items():
        silent = None if route.price_per_second_audio is None else False
        out.append(Price(usd=usd, resolution=res, audio=silent, source=source, date=when))
    if route.price_per_second is not None:
        out.append(Price(usd=route.price_per_second,
                         audio=None if route.price_per_second_audio is None else False,
                         source=source, date=when))
    if route.price_per_second_audio is not None:
        out.append(Price(usd=route.price_per_second_audio, audio=True, source=source, date=when))
    return out
