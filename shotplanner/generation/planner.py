"""The one planner: which shots can be sent, where, as what request, at what cost (window and CLI).

``Planner.plan`` takes shots and answers with a :class:`Plan`: one :class:`PlannedJob` per shot that has a
model, each with the route it will take, the route choice (endpoint, tier, the images really sent), the
built :class:`~shotplanner.generation.base.GenerationRequest`, the cost estimate (or unknown), the
problems that stop it (``core.validation.check_shot`` against that route, and the vendor schema's
pre-flight), the notes that do not, and what the resume / duplicate rules decided (``verdict``). Shots
with no model, a retired one or no route are in ``Plan.skipped`` with the reason.

Keys: a job whose provider has no key is planned (so the user sees it and its cost) but never sendable;
``Plan.missing_keys`` names those providers so the window can offer its Keys dialog.

No Qt here: ``generation.headless`` (``shotplanner generate``) and ``ui.generation_controller`` both ask
this module, so the window and the command line refuse the same shots for the same reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from shotplanner.core.confine import shot_breaches
from shotplanner.core.models import LOCAL_MODEL_ID, LOCAL_PROVIDER, JobState, Take, TakeKind, new_id
from shotplanner.generation.base import GenerationRequest, build_request

if TYPE_CHECKING:
    from shotplanner.core.catalog import Catalog
    from shotplanner.core.catalog_schema import ModelSpec, Route
    from shotplanner.core.cost import CostEstimate
    from shotplanner.core.models import Project, Shot
    from shotplanner.core.routes import RouteChoice
    from shotplanner.core.validation import Problem

#: What the resume and duplicate rules decide for a shot (see :func:`decide`).
NEW, RESUMES, DONE, UNKNOWN, RETRY = "new", "resumes", "done", "unknown", "retry"

#: Providers the app can build by name.
ALL_PROVIDERS = ("local", "fal", "replicate", "kling")


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """One shot on one route: what would be sent, what it costs, and whether it may be sent."""

    shot_id: str
    shot_number: str
    model: ModelSpec
    route: Route
    choice: RouteChoice
    request: GenerationRequest
    estimate: CostEstimate
    #: What stops the send (each names the field, says why, and may carry a one-click fix).
    problems: tuple[Problem, ...] = ()
    #: Worth saying, not stopping (a character's sheet this route cannot use).
    notes: tuple[Problem, ...] = ()
    verdict: str = NEW
    #: For RESUMES / DONE / UNKNOWN / RETRY: the take concerned.
    existing_take: str | None = None
    #: A take a killed run saved but never sent, which this job reuses (its id is the request's).
    replaces_take: str | None = None
    missing_key: bool = False

    @property
    def provider(self) -> str:
        return self.route.provider

    @property
    def model_name(self) -> str:
        return self.model.name

    @property
    def billable(self) -> bool:
        return self.provider != LOCAL_PROVIDER

    @property
    def estimate_usd(self) -> float | None:
        return self.estimate.usd

    @property
    def estimate_note(self) -> str:
        return self.estimate.note

    @property
    def sendable(self) -> bool:
        """New, valid against the route and its vendor schema, and its provider has a key."""
        return self.verdict == NEW and not self.problems and not self.missing_key

    def take(self) -> Take:
        r = self.request
        return Take(id=r.take_id, model_id=r.model_id, provider=r.provider, provider_model=r.provider_model,
                    prompt=r.prompt, settings=r.settings(), state=JobState.QUEUED,
                    cost_estimate_usd=self.estimate.usd, external_id=r.external_id, message="queued")

    def reasons(self) -> list[str]:
        """Why it cannot be sent, in words (empty when sendable)."""
        label = f"Shot {self.shot_number or self.shot_id}"
        out = [f"{label}: {p.message}" for p in self.problems]
        if self.missing_key:
            out.append(f"{label}: no {self.provider} key is set up (Keys…)")
        return out


@dataclass(frozen=True, slots=True)
class Skipped:
    """A shot the planner could not put on any route."""

    shot_id: str
    shot_number: str
    reason: str

    def text(self) -> str:
        return f"Shot {self.shot_number or self.shot_id}: {self.reason}"


class PlanItem(Protocol):
    """What a plan asks of each of its jobs (a clip's ``PlannedJob`` or a storyboard frame's job)."""

    @property
    def shot_id(self) -> str: ...
    @property
    def request(self) -> GenerationRequest: ...
    @property
    def replaces_take(self) -> str | None: ...
    @property
    def verdict(self) -> str: ...
    @property
    def sendable(self) -> bool: ...
    @property
    def billable(self) -> bool: ...
    @property
    def estimate_usd(self) -> float | None: ...
    def reasons(self) -> list[str]: ...
    def take(self) -> Take: ...


J = TypeVar("J", bound=PlanItem)


@dataclass(frozen=True)
class JobPlan(Generic[J]):
    """The jobs planned for a selection, what was skipped and why, and the keys they lack."""

    jobs: list[J]
    skipped: list[Skipped] = field(default_factory=list)
    #: Providers a planned job needs whose key is missing (the window offers its Keys dialog).
    missing_keys: frozenset[str] = frozenset()
    #: What one job is called in the total ("3 jobs with no published price").
    noun: ClassVar[str] = "job"

    @property
    def sendable(self) -> list[J]:
        return [j for j in self.jobs if j.sendable]

    @property
    def refused(self) -> list[J]:
        """New jobs that cannot be sent (problems or a missing key)."""
        return [j for j in self.jobs if j.verdict == NEW and not j.sendable]

    @property
    def billable(self) -> list[J]:
        return [j for j in self.sendable if j.billable]

    @property
    def problems(self) -> list[str]:
        """Every reason a selected shot will not be sent, one line each."""
        return [s.text() for s in self.skipped] + [r for j in self.refused for r in j.reasons()]

    @property
    def known_usd(self) -> float:
        return round(sum(j.estimate_usd or 0.0 for j in self.billable), 4)

    @property
    def unpriced(self) -> int:
        return sum(1 for j in self.billable if j.estimate_usd is None)

    def total_text(self) -> str:
        text = f"${self.known_usd:,.2f}"
        if self.unpriced:
            plural = "s" if self.unpriced != 1 else ""
            text += f" + {self.unpriced} {self.noun}{plural} with no published price"
        return text


class Plan(JobPlan[PlannedJob]):
    """The clips planned for a selection."""


# ------------------------------------------------------------------------------------ resume rules


def resumable(record: Mapping[str, Any]) -> bool:
    """A failed job that may still finish remotely: retrying follows it again and sends nothing."""
    return (record.get("state") == JobState.FAILED.value and bool(record.get("retryable"))
            and bool(record.get("remote_id")))


def decide(shot: Shot, model_id: str, journal: Mapping[str, Mapping[str, Any]] | None,
           again: bool, kind: TakeKind = "clip") -> tuple[str, str | None]:
    """What to do for one shot: (NEW | RESUMES | DONE | UNKNOWN | RETRY, the take concerned).

    A job the journal still follows resumes (never sent twice); without ``again``, a finished take of the
    same model, a take that may exist at the provider (UNKNOWN: never re-sent blindly) or a failed job
    that may still finish remotely (RETRY: followed again) stop a new send.
    """
    records = journal or {}
    found: dict[str, str] = {}
    for take in shot.takes:
        if take.kind != kind:  # clips and storyboard frames are sent, resumed and counted apart
            continue
        record = records.get(take.id)
        # The journal is fresher than the project (a kill can land between a job's end and the save).
        state = JobState(record["state"]) if record else take.state
        if record is not None and state.is_active:
            found.setdefault(RESUMES, take.id)
        elif state is JobState.UNKNOWN:
            found.setdefault(UNKNOWN, take.id)
        elif record is not None and resumable(record):
            found.setdefault(RETRY, take.id)
        elif take.model_id == model_id and state is JobState.DONE:
            found.setdefault(DONE, take.id)
    if RESUMES in found:
        return RESUMES, found[RESUMES]
    if not again:
        for verdict in (DONE, UNKNOWN, RETRY):
            if verdict in found:
                return verdict, found[verdict]
    return NEW, None


# ---------------------------------------------------------------------------------------- planner


def key_present(provider: str) -> bool:
    """Whether a key for ``provider`` is in the environment or the keyring (local needs none)."""
    if provider == LOCAL_PROVIDER:
        return True
    from shotplanner.generation.secrets import key_source

    return key_source(provider) != "missing"


#: ``preflight(request) -> problems``: the vendor-schema check of the request a provider would send.
Preflight = Callable[[GenerationRequest], "list[Problem]"]


class Planner:
    """Plans shots against a catalog. ``providers``: the provider names set up here (default: all);
    ``has_key``: whether a provider has its key (default: environment, then keyring; asked once per
    provider per plan, since a keyring lookup can be a D-Bus round trip). ``prefer``: the user's default
    provider (Preferences), tried first among a model's routes when it offers one."""

    def __init__(self, catalog: Catalog, *, providers: Collection[str] | None = None,
                 has_key: Callable[[str], bool] | None = None, preflight: Preflight | None = None,
                 prefer: str | None = None) -> None:
        self.catalog = catalog
        self.prefer = prefer
        self.providers = frozenset(providers) if providers is not None else frozenset(ALL_PROVIDERS)
        self.has_key = has_key or key_present
        self.preflight = preflight if preflight is not None else default_preflight

    def plan(self, project: Project, project_dir: Path, shots: Iterable[Shot], *,
             model_id: str | None = None, provider: str | None = None, prompt: str | None = None,
             journal: Mapping[str, Mapping[str, Any]] | None = None, again: bool = True,
             make_id: Callable[[], str] = new_id) -> Plan:
        """Plan ``shots``. ``model_id`` forces a model (the animatic, "try another model"); ``provider``
        forces a route (``--provider``); ``prompt`` replaces the composed prompt (same prompt, another
        model); ``journal`` (take id → record) and ``again`` drive the resume and duplicate rules."""
        keys: dict[str, bool] = {}
        jobs: list[PlannedJob] = []
        skipped: list[Skipped] = []
        for shot in shots:
            number = shot.number or shot.id
            breached = shot_breaches(shot, project, project_dir)
            if breached:  # it names a file outside the project: never read, never sent
                skipped.append(Skipped(shot.id, number, breached[0].reason))
                continue
            model, why = self._model(shot, project, model_id, provider)
            if model is None:
                skipped.append(Skipped(shot.id, number, why))
                continue
            routes = self._routes(model, provider)
            if not routes:
                offered = ", ".join(r.provider for r in model.routes) or "none"
                where = f"through {provider}" if provider else "through a provider set up here"
                skipped.append(Skipped(shot.id, number, f"{model.name} is not offered {where} "
                                       f"(offered by: {offered})"))
                continue
            verdict, existing = decide(shot, model.id, journal, again)
            job = self._best_job(shot, project, project_dir, model, routes, keys, prompt, make_id, journal)
            jobs.append(replace(job, verdict=verdict, existing_take=existing))
        missing = frozenset(j.provider for j in jobs if j.missing_key and j.verdict == NEW)
        return Plan(jobs, skipped, missing)

    # ------------------------------------------------------------------ steps

    def _model(self, shot: Shot, project: Project, model_id: str | None,
               provider: str | None) -> tuple[ModelSpec | None, str]:
        from shotplanner.core.recommend import resolve_model

        if provider == LOCAL_PROVIDER and model_id is None:
            model_id = LOCAL_MODEL_ID
        if model_id is not None:
            model = self.catalog.find(model_id)
            if model is None:
                return None, f"no model {model_id!r} in the catalog"
        else:
            model = resolve_model(shot, project, self.catalog)
            if model is None:
                return None, "no model in the catalog can do this shot; choose one in the Model panel"
        if not model.is_live:
            when = model.retired_on.isoformat() if model.retired_on else "an earlier date"
            successor = self.catalog.successor_of(model)
            then = f" (its successor is {successor.name})" if successor else ""
            return None, f"{model.name} was retired on {when}; choose another model{then}"
        return model, ""

    def _routes(self, model: ModelSpec, provider: str | None) -> list[Route]:
        if provider is not None:
            return [r for r in model.routes if r.provider == provider]
        routes = [r for r in model.routes if r.provider in self.providers]
        return sorted(routes, key=lambda r: r.provider != self.prefer)  # stable: catalog order otherwise

    def _best_job(self, shot: Shot, project: Project, project_dir: Path, model: ModelSpec,
                  routes: list[Route], keys: dict[str, bool], prompt: str | None,
                  make_id: Callable[[], str], journal: Mapping[str, Mapping[str, Any]] | None) -> PlannedJob:
        """The first route (catalog order) that can send the shot with a key; else the first that could
        send it once a key is set up; else the first route, with what stops it."""
        take_id, orphan = self._take_id(shot, model, journal, make_id)
        candidates = []
        for route in routes:
            if route.provider not in keys:
                keys[route.provider] = self.has_key(route.provider)
            candidates.append(self._job(shot, project, project_dir, model, route, take_id, orphan, prompt,
                                        missing_key=not keys[route.provider]))
            if candidates[-1].sendable:
                return candidates[-1]
        valid = [j for j in candidates if not j.problems]
        return valid[0] if valid else candidates[0]

    def _take_id(self, shot: Shot, model: ModelSpec, journal: Mapping[str, Mapping[str, Any]] | None,
                 make_id: Callable[[], str]) -> tuple[str, str | None]:
        """A new take id, or that of a take a run killed before its job was journaled (never sent)."""
        if journal is not None:
            orphan = next((t for t in shot.takes if t.state is JobState.QUEUED and t.remote_id is None
                           and t.model_id == model.id and t.id not in journal), None)
            if orphan is not None:
                return orphan.id, orphan.id
        return make_id(), None

    def _job(self, shot: Shot, project: Project, project_dir: Path, model: ModelSpec, route: Route,
             take_id: str, orphan: str | None, prompt: str | None, *, missing_key: bool) -> PlannedJob:
        from shotplanner.core.cost import estimate_shot
        from shotplanner.core.routes import choose, route_facts
        from shotplanner.core.validation import check_shot

        choice = choose(shot, route_facts(model, route), project)
        found = check_shot(shot, model, route, project=project, choice=choice)
        request = build_request(shot, project, project_dir, model, route, take_id, choice=choice)
        if prompt is not None:
            request = replace(request, prompt=prompt)
        problems = [p for p in found if p.blocking]
        if not problems:
            # The vendor's own schema has the last word: a request it would refuse is never sent.
            problems.extend(self.preflight(request))
        estimate = estimate_shot(shot, model, route, project=project, choice=choice)
        return PlannedJob(shot.id, shot.number or shot.id, model, route, choice, request, estimate,
                          tuple(problems), tuple(p for p in found if not p.blocking),
                          replaces_take=orphan, missing_key=missing_key)


def default_preflight(request: GenerationRequest) -> list[Problem]:
    """The vendor-schema check of the body the provider would send (``generation.preflight``)."""
    from shotplanner.generation.preflight import problems

    return problems(request)
