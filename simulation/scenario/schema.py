"""The scenario: validated, frozen plain data (format v1, see docs/scenario-format.md).

Every key has a default here, so a scenario names only what it changes. Every check of a
scenario is here too, the one validation gate: value ranges, shares, targets, surges, office
overrides and the city's size, so ``messages.py`` can name the file, line and key of any
problem. Three sections live in their own modules (``calendars.py``, ``counties.py``,
``offices.py``); reading files, ``extends`` and the wording of errors beside (``loader.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, Strict, field_validator, model_validator

from ..contract import COUNTY_KPIS, COUNTY_STAFF_KPIS, KPI_NAMES
from ..errors import did_you_mean
from . import names
from .calendars import CalendarSpec, open_hours_per_week, parse_hours
from .counties import CitySpec, CountySpec, GenerateSpec, divisions_of, english_counties
from .distributions import Distribution, Exponential, Gamma, LogNormal, Triangular
from .divisions import canonical_office
from .evaluation import EvaluationSpec
from .holidays import UnsupportedYearError, check_years
from .offices import OfficesSpec, check_override
from .spec import Count, NonNegative, Positive, Probability, Spec, check_shares, invalid
from .supervision import SupervisionSpec
from .targets import EVERY_COUNTY, split_targets

__all__ = [
    "CitySpec",
    "CountySpec",
    "GenerateSpec",
    "OfficesSpec",
    "Scenario",
    "invalid",
    "open_hours_per_week",
    "parse_hours",
]

Level = Literal["grid", "village", "town", "county", "city"]
Severity = Literal["minor", "general", "major", "critical"]
Channel = Literal["grid_visit", "hotline", "online", "walk_in"]
WalkInLevel = Literal["village", "town", "county", "city"]

# ---------------------------------------------------------------- case types


class SeverityMix(Spec):
    """Shares of each severity; a mapping given in a scenario replaces the default whole."""

    minor: Probability = 0.0
    general: Probability = 0.0
    major: Probability = 0.0
    critical: Probability = 0.0

    @model_validator(mode="after")
    def _sums_to_one(self) -> SeverityMix:
        check_shares(self.model_dump(), "severity shares")
        return self


DEFAULT_SEVERITY = {"minor": 0.6, "general": 0.35, "major": 0.05}


class HandlingHours(Spec):
    grid: Distribution = LogNormal(dist="lognormal", mean=1.0, sd=0.8)
    village: Distribution = LogNormal(dist="lognormal", mean=2.0, sd=1.5)
    town: Distribution = Exponential(dist="exponential", mean=3.0)
    county: Distribution = Gamma(dist="gamma", mean=4.0, sd=2.0)
    city: Distribution = Triangular(dist="triangular", low=2, mode=6, high=16)


class ResolveProbability(Spec):
    grid: Probability = 0.55
    village: Probability = 0.6
    town: Probability = 0.65
    county: Probability = 0.8
    city: Probability = 0.85


Kind = Literal["consultation", "help", "complaint", "dispute"]


def _first_contact_hours() -> Distribution:
    return Exponential(dist="exponential", mean=0.25)


class CaseType(Spec):
    share: Probability
    kind: Kind = "dispute"
    """What the citizen asks for: 咨询 consultation, 求助 help, 投诉/举报 complaint or 矛盾纠纷
    dispute. The dispute KPIs count disputes only."""
    channels: dict[Channel, Probability] | None = None
    """This type's own channel mix (shares summing to 1); by default ``arrivals.channels``."""
    first_contact: dict[Channel, Probability] = Field(default_factory=dict)
    """Probability, per channel, that the entry point settles the request at once (接诉即办):
    the hotline operator answers it, the hub answers an app report, the grid worker fixes it
    on the spot, the window clerk answers a walk-in. A channel not named: 0."""
    first_contact_hours: Distribution = Field(default_factory=_first_contact_hours)
    """Working hours a grid worker or a window clerk spends settling a request at first
    contact (the hotline's time is its talk time; the hub's its dispatch time)."""
    department: str | list[str] = "people_mediation"
    severity: SeverityMix = SeverityMix(**DEFAULT_SEVERITY)
    handling_hours: HandlingHours = HandlingHours()
    resolve: ResolveProbability = ResolveProbability()

    @field_validator("department")
    @classmethod
    def _departments(cls, value: str | list[str]) -> str | list[str]:
        names = [value] if isinstance(value, str) else value
        if not names or any(not n for n in names):
            raise invalid("at least one non-empty department name", repr(value))
        if len(set(names)) != len(names):
            raise invalid("each department listed once", repr(names))
        return value

    @model_validator(mode="after")
    def _channel_mix(self) -> CaseType:
        if self.channels is not None:
            check_shares(self.channels, "channel shares", "channels")
        return self

    @property
    def departments(self) -> list[str]:
        return [self.department] if isinstance(self.department, str) else list(self.department)


# ---------------------------------------------------------------- arrivals


class Surge(Spec):
    name: str = Field(min_length=1)
    where: str = Field(min_length=1)
    """A county name: surge cases arrive at that county's grids, spread by residents."""
    type: str
    start_day: int | None = Field(default=None, ge=0)
    """Day of the counted period (0 = start_date) on which the surge begins."""
    start: dt.date | None = None
    """The same as a calendar date (``2021-02-01``); give either, or both when they agree."""
    days: Count
    per_day: NonNegative

    @model_validator(mode="after")
    def _one_start(self) -> Surge:
        if self.start_day is None and self.start is None:
            raise invalid("'start_day' (a day number) or 'start' (a date)", "neither", "start_day")
        return self

    def first_day(self, start_date: dt.date) -> int:
        """The counted day (0 = ``start_date``) on which the surge begins."""
        if self.start is not None:
            return (self.start - start_date).days
        assert self.start_day is not None
        return self.start_day


class ArrivalsSpec(Spec):
    per_10k_residents_per_year: NonNegative = 65.0
    channels: dict[Channel, Probability] = Field(
        default_factory=lambda: {"grid_visit": 0.4, "hotline": 0.3, "online": 0.1, "walk_in": 0.2}
    )
    walk_in_level: dict[WalkInLevel, Probability] = Field(
        default_factory=lambda: {"village": 0.5, "town": 0.3, "county": 0.2}
    )
    dispatch_hours: NonNegative = 2.0
    hourly: list[NonNegative] = Field(
        default_factory=lambda: [1.0] * 24, min_length=24, max_length=24
    )
    """Hour-of-day multipliers (00:00 … 23:00): arrivals within a day follow this profile."""
    weekly: list[NonNegative] = Field(
        default_factory=lambda: [1.2, 1.1, 1.0, 1.0, 1.0, 0.6, 0.5], min_length=7, max_length=7
    )
    monthly: list[NonNegative] = Field(
        default_factory=lambda: [1.3, 1.4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.1],
        min_length=12,
        max_length=12,
    )
    surges: list[Surge] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mixes(self) -> ArrivalsSpec:
        check_shares(self.channels, "channel shares", "channels")
        if self.channels.get("walk_in", 0) > 0:
            check_shares(self.walk_in_level, "walk_in_level shares", "walk_in_level")
        for key in ("hourly", "weekly", "monthly"):
            profile = getattr(self, key)
            if sum(profile) <= 0:
                raise invalid("a profile with at least one positive value", repr(profile), key)
        return self


# ---------------------------------------------------------------- triage, escalation


class Triage(Spec):
    """The lowest level that may handle a case of each severity (分级分类)."""

    minor: Level = "grid"
    general: Level = "village"
    major: Level = "county"
    critical: Level = "city"


class Attendance(Spec):
    grid: bool = False
    village: bool = True
    town: bool = True
    county: bool = True
    city: bool = True


class PatienceDays(Spec):
    """Days a citizen waits before escalating by themselves (越级); null never does."""

    minor: Positive | None = 7
    general: Positive | None = 30
    major: Positive | None = 60
    critical: Positive | None = 30


class EscalationSpec(Spec):
    transfer_hours: NonNegative = 24.0
    shared_information: bool = True
    """信息一次采集: false makes every new office repeat intake_hours of intake."""
    intake_hours: NonNegative = 0.5
    attendance: Attendance = Attendance()
    online_mediation: Probability = 0.0
    patience_days: PatienceDays = PatienceDays()
    give_up: Probability = 0.0
    beyond_city: Literal["litigation", "escalated_out"] = "litigation"
    referral_days: NonNegative = 0.0
    """At a county without one-stop: days the citizen needs to get from one department to the
    next (or from a wrong department to the right one), their own next trip."""


# ---------------------------------------------------------------- the 12345 centre


def _always_open() -> CalendarSpec:
    return CalendarSpec(always_open=True)


Seats = Annotated[int, Field(ge=0)]


class HotlineSpec(Spec):
    """The 12345/96345 centre as a queue of its own (M/M/n+M when exponential: Erlang-A).

    Without ``seats`` a call is the citizen's one door and nothing more (no queue); without
    ``dispatchers`` a work order reaches its office after ``arrivals.dispatch_hours``.
    """

    seats: Seats | list[Seats] | None = None
    """Operators on duty: one number, or 24 numbers (one per hour of the day, 00:00 first)."""
    calendar: CalendarSpec = Field(default_factory=_always_open)
    """When the line is open (round the clock by default); calls outside it wait for opening."""
    talk_seconds: Distribution = LogNormal(dist="lognormal", mean=240.0, sd=150.0)
    """A seat's time per answered call: the talk and the after-call work."""
    patience_seconds: Distribution = Exponential(dist="exponential", mean=300.0)
    """How long a caller waits for an operator before hanging up."""
    answer_target_seconds: Positive = 15.0
    """The service level's answer time (GB/T 33358-2016: answered within 15 s)."""
    dispatchers: Annotated[int, Field(ge=1)] | None = None
    """Staff of the hub's dispatch desk (派单) who turn calls, app reports and grid reports into
    work orders for offices; none: every work order takes ``arrivals.dispatch_hours``."""
    dispatch_calendar: CalendarSpec | None = None
    """When the dispatchers work (default: the hotline's calendar)."""
    dispatch_minutes: Distribution = Exponential(dist="exponential", mean=5.0)
    """A dispatcher's minutes per work order."""

    @field_validator("seats")
    @classmethod
    def _seats(cls, seats: int | list[int] | None) -> int | list[int] | None:
        if isinstance(seats, list) and len(seats) != 24:
            raise invalid("one number, or 24 numbers (one per hour)", f"{len(seats)} numbers")
        return seats

    @property
    def seats_by_hour(self) -> list[int] | None:
        """Seats on duty in each hour of the day (None: no queue)."""
        if self.seats is None:
            return None
        return list(self.seats) if isinstance(self.seats, list) else [self.seats] * 24


class TimeLimitsDays(Spec):
    minor: Positive = 1
    general: Positive = 30
    major: Positive = 60
    critical: Positive = 60


# ---------------------------------------------------------------- the scenario


def _default_case_types() -> dict[str, CaseType]:
    return {"dispute": CaseType(share=1.0)}


def _kpi_name(name: Any) -> Any:
    if not isinstance(name, str) or name not in KPI_NAMES:
        raise invalid("a KPI name", repr(name), hint=did_you_mean(name, KPI_NAMES))
    return name


KpiName = Annotated[str, BeforeValidator(_kpi_name)]
"""A KPI of the registry (``contract.KPI_NAMES``)."""
Target = Annotated[float, Strict()]
"""A number (not a text like ``"0.9"`` or a boolean)."""


def _default_targets() -> dict[str, float]:
    return {
        "one_door_rate": 0.95,
        "one_trip_rate": 0.90,
        "grassroots_rate": 0.90,
        "on_time_rate": 0.95,
        "escalated_out_rate": 0.0,
    }


class Scenario(Spec):
    name: str = Field(min_length=1)
    description: str = ""
    language: Literal["en", "zh"] = "en"
    """Language of this scenario's terminal tables, figures, report and workbook (``--lang``
    and ``GOVSIM_LANG`` take precedence; see ``i18n.py``)."""
    seed: int = Field(default=20191230, ge=0)
    start_date: dt.date = dt.date(2021, 1, 1)
    """Calendar date of the first counted day; the warm-up runs on the days before it."""
    horizon_days: Count = 365
    warmup_days: int = Field(default=28, ge=0)
    replications: Count = 10
    drain: bool = False

    calendar: CalendarSpec = CalendarSpec()
    city: CitySpec = CitySpec()
    offices: OfficesSpec = OfficesSpec()
    case_types: dict[str, CaseType] = Field(default_factory=_default_case_types)
    arrivals: ArrivalsSpec = ArrivalsSpec()
    triage: Triage = Triage()
    escalation: EscalationSpec = EscalationSpec()
    hotline: HotlineSpec = HotlineSpec()
    time_limits_days: TimeLimitsDays = TimeLimitsDays()
    backlog_days: Positive = 90
    evaluation: EvaluationSpec = EvaluationSpec()
    supervision: SupervisionSpec = SupervisionSpec()
    targets: dict[KpiName, Target] = Field(default_factory=_default_targets)
    county_targets: dict[KpiName, dict[str, Target]] = Field(default_factory=dict)
    """KPI → county → target (``"*"``: every county); written by ``targets``' ``by: county``
    and ``counties:`` forms (``targets.py``)."""
    strict_targets: bool = False
    """A target is met when the mean meets it; ``true`` (``--strict``): the whole interval."""

    @model_validator(mode="before")
    @classmethod
    def _target_forms(cls, data: Any) -> Any:
        return split_targets(data)

    @model_validator(mode="before")
    @classmethod
    def _canonical_places(cls, data: Any) -> Any:
        """With real divisions, a county (or town) named in Chinese anywhere a place is named
        (overrides, a surge's ``where``) becomes the name outputs use: ``平湖`` = ``Pinghu``."""
        if not isinstance(data, Mapping):
            return data
        table = divisions_of(data.get("city"))
        if table is None:
            return data
        data = dict(data)
        offices = data.get("offices")
        if isinstance(offices, Mapping) and isinstance(offices.get("overrides"), Mapping):
            # two spellings of one office (海宁 and Haining, e.g. --set on a scenario's own
            # override) are one override: the later one's keys win, as --set wins over a file
            renamed: dict = {}
            for k, v in offices["overrides"].items():
                name = canonical_office(k, table) if isinstance(k, str) else k
                earlier = renamed.get(name)
                if isinstance(earlier, Mapping) and isinstance(v, Mapping):
                    v = {**earlier, **v}
                renamed[name] = v
            data["offices"] = {**offices, "overrides": renamed}
        arrivals = data.get("arrivals")
        if isinstance(arrivals, Mapping) and isinstance(arrivals.get("surges"), list):
            surges = english_counties(arrivals["surges"], "where", table)
            data["arrivals"] = {**arrivals, "surges": surges}
        return data

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        if not self.case_types:
            raise invalid("at least one case type", "none", "case_types")
        check_shares(
            {k: t.share for k, t in self.case_types.items()}, "case_types shares", "case_types"
        )
        for i, surge in enumerate(self.arrivals.surges):
            _check_surge_start(surge, self.start_date, f"arrivals.surges.{i}")
            if surge.type not in self.case_types:
                raise invalid(
                    f"one of the case_types {sorted(self.case_types)}",
                    repr(surge.type),
                    f"arrivals.surges.{i}.type",
                )
            if not names.is_county(self.city, surge.where):
                close = names.suggest_county(self.city, surge.where)
                raise invalid(
                    f"a county of the city {names.county_names(self.city)}",
                    repr(surge.where) + (f" (did you mean {close!r}?)" if close else ""),
                    f"arrivals.surges.{i}.where",
                )
        for name, override in self.offices.overrides.items():
            check_override(self.city, name, override)
        for kpi, per in self.county_targets.items():
            if kpi not in COUNTY_KPIS and kpi not in COUNTY_STAFF_KPIS:
                raise invalid(
                    f"a KPI computed by county {[*COUNTY_KPIS, *COUNTY_STAFF_KPIS]}",
                    repr(kpi),
                    ("targets", kpi),
                )
            for county in per:
                if county != EVERY_COUNTY and not names.is_county(self.city, county):
                    close = names.suggest_county(self.city, county)
                    raise invalid(
                        f"a county of the city {names.county_names(self.city)}",
                        repr(county) + (f" (did you mean {close!r}?)" if close else ""),
                        ("targets", kpi, "counties", county),
                    )
        self._check_visits()
        first = self.start_date.toordinal() - self.warmup_days
        last = self.start_date.toordinal() + self.horizon_days
        if first < dt.date.min.toordinal():
            raise invalid(
                f"at most {self.start_date.toordinal() - 1} warm-up days before {self.start_date}",
                str(self.warmup_days),
                "warmup_days",
            )
        if last > dt.date.max.toordinal():
            most = dt.date.max.toordinal() - self.start_date.toordinal()
            raise invalid(
                f"a horizon ending by {dt.date.max} (at most {most} days from {self.start_date})",
                str(self.horizon_days),
                "horizon_days",
            )
        if self.calendar.holidays != "none" and not self.calendar.always_open:
            first = self.start_date - dt.timedelta(days=self.warmup_days)
            last = self.start_date + dt.timedelta(days=self.horizon_days - 1)
            try:
                check_years(self.calendar.holidays, first, last)
            except UnsupportedYearError as error:
                low, high = error.known
                raise invalid(
                    f"a run within {low}-{high}, the years whose statutory holidays "
                    f"(calendar.holidays: {self.calendar.holidays}) are published, or "
                    f"holidays: none",
                    f"a run from {first} to {last} (no holiday dates for "
                    f"{', '.join(map(str, error.years))})",
                    self._run_key_outside(low, high),
                ) from None
        return self

    def _run_key_outside(self, low: int, high: int) -> str:
        """The key that put the run outside the years ``low``-``high``: ``start_date`` when
        the counted period starts outside them, else the warm-up or the horizon."""
        if not low <= self.start_date.year <= high:
            return "start_date"
        first = self.start_date - dt.timedelta(days=self.warmup_days)
        return "warmup_days" if first.year < low else "horizon_days"

    def _check_visits(self) -> None:
        grid = self.offices.grid
        week = open_hours_per_week(self.calendar)
        visit = grid.visits_per_week * grid.visit_hours
        if visit >= week:
            raise invalid(
                f"household visits taking less than the {week:g} open hours of a week",
                f"{grid.visits_per_week:g} visits x {grid.visit_hours:g} h = {visit:g} h",
                "offices.grid.visits_per_week",
            )

    def to_dict(self) -> dict:
        """The fully resolved scenario as plain YAML-ready data."""
        return self.model_dump(mode="json")

    def replace(self, **changes: Any) -> Scenario:
        """A new scenario with ``changes``, validated like a loaded one (this one is frozen).

        ``replications=3`` replaces a value; a dotted key path,
        ``**{"offices.county.staff": 18}``, sets one key; a mapping,
        ``offices={"county": {"staff": 18}}``, is merged into the section as ``extends`` merges
        a child file (lists and share mappings are replaced whole). A bad change raises a
        ``ScenarioError`` naming its key.
        """
        if not changes:
            return self
        from .compose import apply_changes  # the loader's modules import this one
        from .messages import validate

        return validate(apply_changes(self.to_dict(), changes), {}, None)


def _check_surge_start(surge: Surge, start_date: dt.date, at: str) -> None:
    if surge.start is None:
        return
    day = (surge.start - start_date).days
    if day < 0:
        raise invalid(
            f"a date on or after start_date {start_date}", str(surge.start), f"{at}.start"
        )
    if surge.start_day is not None and surge.start_day != day:
        raise invalid(
            f"start_day {day} to agree with start {surge.start} (or only one of them)",
            f"start_day {surge.start_day}",
            f"{at}.start_day",
        )
