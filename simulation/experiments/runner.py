"""Replications: run a scenario several times, serially, on a process pool or on a Dask cluster.

A worker receives only (scenario, replication index) and returns that replication's tables, so
the tables — and the bytes written from them — are the same whatever runs the replications
(``executors.py``). ``run`` can also keep adding replications until the KPIs with a target are
known to a given precision.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import store
from ..analysis import kpis as kpi_functions
from ..analysis.grids import grid_table
from ..engine.city import build_city
from ..engine.events import events_table
from ..engine.model import Model, cyclic_gc_paused
from ..engine.record import case_table, daily_table, front_door_table, office_table
from ..errors import ScenarioError
from ..scenario.limits import check_limits, estimate
from ..scenario.loader import dump_yaml, load_scenario
from ..scenario.schema import Scenario
from . import folders
from .executors import Executor, make_executor

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]
"""One replication's (cases, offices, daily, front_door) tables."""
Progress = Callable[[int], None] | bool | None
"""``None``/``False``: silent; ``True``: a ``tqdm.auto`` bar; a callable: called with 1 per step."""

DEFAULT_MAX_REPLICATIONS = 100
RATE_FLOOR = 0.005
"""Absolute half-width that is precise enough for a share (half a percentage point)."""


def run_replication(scenario: Scenario, replication: int) -> Tables:
    """One replication's (cases, offices, daily, front_door) tables."""
    with cyclic_gc_paused():
        city = build_city(scenario)
        raw = Model(scenario, city, replication).run()
        return (
            case_table(raw, scenario, city),
            office_table(raw, city, scenario),
            daily_table(raw),
            front_door_table(raw, scenario, city),
        )


def run_replication_with_events(
    scenario: Scenario, replication: int
) -> tuple[Tables, pd.DataFrame]:
    """One replication's tables and its event log (``events.parquet``'s rows)."""
    with cyclic_gc_paused():
        city = build_city(scenario)
        raw = Model(scenario, city, replication, events=True).run()
        tables = (
            case_table(raw, scenario, city),
            office_table(raw, city, scenario),
            daily_table(raw),
            front_door_table(raw, scenario, city),
        )
        names = [o.name for o in city.offices]
        levels = [o.level for o in city.offices]
        log = events_table(raw.events, replication, names, levels, scenario.warmup_days)
        return tables, log


def replication_kpi_row(scenario: Scenario, replication: int) -> pd.DataFrame:
    """One replication's KPIs (one row, index ``replication``): a small result to ship back."""
    cases, offices, daily, front_door = run_replication(scenario, replication)
    return kpi_functions.replication_kpis(
        cases, offices, daily, scenario.horizon_days, [replication], front_door
    )


# ---------------------------------------------------------------- before anything runs


def check_runnable(scenario: Scenario) -> None:
    """Refuse, before any replication, a scenario in which no case can arrive (no residents, a
    zero rate and no surge, or profiles that are zero over the counted days): it would report
    KPIs of nothing. Raises ``ScenarioError`` naming the key (``scenario.locate`` finds where
    it was written)."""
    found = estimate(scenario)
    if found.counted_per_replication > 0:
        return
    arrivals = scenario.arrivals
    if found.residents == 0:
        key = "city.counties" if scenario.city.counties is not None else "city.generate.population"
        expected, seen = "residents for cases to come from", "0 residents"
    elif arrivals.per_10k_residents_per_year == 0 and not arrivals.surges:
        key, expected, seen = "arrivals.per_10k_residents_per_year", "a rate above 0", "0"
    else:
        key = "arrivals"
        expected = "some arrivals in the counted days (rate, monthly and weekly profiles, surges)"
        seen = "none expected"
    raise ScenarioError(
        key,
        expected,
        seen,
        hint=f"scenario {scenario.name!r} can produce no case, so it has no KPIs to report",
    )


# ---------------------------------------------------------------- helpers shared by the runners


@contextlib.contextmanager
def executor_scope(
    executor: str | Executor | None, workers: int | None, scheduler: str | None
) -> Iterator[Executor]:
    """The executor to use; closed at the end only if it was made here."""
    made = make_executor(executor, workers, scheduler)
    if made is executor:
        yield made
        return
    with made:
        yield made


@contextlib.contextmanager
def progress_scope(progress: Progress, total: int | None, label: str, unit: str = "rep"):
    """A callable ``step(n=1)`` for ``progress`` (see ``Progress``) and, for ``True``, a bar.

    The bar object (or ``None``) is the second item, so a caller can raise its total.
    """
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=label, unit=unit, leave=False)
        try:
            yield bar.update, bar
        finally:
            bar.close()
    elif callable(progress):
        yield progress, None
    else:
        yield (lambda n=1: None), None


def with_run_control(
    scenario: Scenario | str | os.PathLike | Mapping,
    replications: int | None = None,
    seed: int | None = None,
) -> Scenario:
    """The scenario (loaded if it is a path or a dict), with ``replications`` and ``seed``
    replaced when given."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    update = {"replications": replications, "seed": seed}
    return scenario.replace(**{key: value for key, value in update.items() if value is not None})


Replicate = Callable[[Scenario, int], Tables]
"""A replication function: ``(scenario, replication) -> (cases, offices, daily, front_door)``;
:func:`run_replication` unless ``run(..., replicate=...)`` gives another (fault tests do)."""


def replicate(
    scenario: Scenario,
    indices: Sequence[int],
    executor: Executor,
    step: Callable[[int], None] | None = None,
    function: Replicate | None = None,
) -> list[Tables]:
    """The tables of replications ``indices``, in that order, whatever order they finish in,
    each computed by ``function`` (default :func:`run_replication`)."""
    function = function or run_replication
    tasks = [(r, function, scenario, r) for r in indices]
    done: dict[int, Tables] = {}
    with contextlib.closing(executor.map_unordered(tasks)) as finished:
        for r, tables in finished:
            done[r] = tables
            if step is not None:
                step(1)
    return [done[r] for r in indices]


_replicate = replicate  # run()'s ``replicate`` parameter shadows the function


def combine(scenario: Scenario, parts: Sequence[Tables], indices: Sequence[int]) -> Results:
    """Results from per-replication tables given in replication order."""
    cases, offices, daily, front_door = (
        pd.concat(frames, ignore_index=True) for frames in zip(*parts, strict=True)
    )
    by_replication = kpi_functions.replication_kpis(
        cases, offices, daily, scenario.horizon_days, list(indices), front_door
    )
    return Results(scenario, cases, offices, daily, by_replication, front_door)


# ---------------------------------------------------------------- precision


def is_share(kpi: str) -> bool:
    """KPIs that are shares in [0, 1] (an absolute precision floor applies to them)."""
    return kpi.endswith("_rate") or kpi.startswith(("resolved_at_", "utilization_"))


def precision_table(
    per_rep: pd.DataFrame,
    kpis: Sequence[str],
    precision: float,
    floor: float = RATE_FLOOR,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """For each KPI: ``kpi, mean, half_width, limit, met``.

    ``limit`` is ``precision × |mean|``, or ``floor`` for a share when that is larger (a rate
    near 0, such as an escalation rate with target 0, cannot be known to 5% of itself). A KPI
    undefined in every replication (all NaN) counts as met; one with fewer than two defined
    values does not.
    """
    rows = []
    for kpi in kpis:
        values = per_rep[kpi].to_numpy(dtype=float)
        mean, low, high, n = kpi_functions.mean_ci(values, confidence)
        half = (high - low) / 2 if n >= 2 else math.nan
        limit = precision * abs(mean) if n else math.nan
        if is_share(kpi) and n:
            limit = max(limit, floor)
        met = n == 0 or (not math.isnan(half) and half <= limit)
        rows.append((kpi, mean, half, limit, met))
    return pd.DataFrame(rows, columns=["kpi", "mean", "half_width", "limit", "met"])


@dataclass
class PrecisionReport:
    """How a precision-driven run ended."""

    precision: float
    replications: int
    max_replications: int
    met: bool
    table: pd.DataFrame
    """``kpi, mean, half_width, limit, met`` after the last batch."""
    last: str | None = None
    """The KPI that was the last to meet the criterion (and kept meeting it)."""

    def summary(self) -> str:
        pct = f"{self.precision:.0%}" if self.precision >= 0.01 else f"{self.precision:g}"
        if self.met:
            last = f"; last to converge: {self.last}" if self.last else ""
            return f"precision {pct} reached after {self.replications} replications{last}"
        wide = ", ".join(self.table.loc[~self.table["met"], "kpi"])
        return (
            f"precision {pct} NOT reached after {self.replications} replications "
            f"(the maximum); still too wide: {wide}"
        )


def _until_precise(
    scenario: Scenario,
    executor: Executor,
    precision: float,
    max_replications: int,
    batch: int | None,
    floor: float,
    progress: Progress,
    function: Replicate | None = None,
    kpis: Sequence[str] | None = None,
) -> tuple[list[Tables], PrecisionReport]:
    """Replications in batches until every KPI of ``kpis`` (default: those with a target) is
    precise enough; records which KPI was the last to get there and stay."""
    kpis = list(kpis or []) or [k for k in scenario.targets if k in kpi_functions.KPI_NAMES]
    kpis = kpis or list(kpi_functions.KPI_NAMES)
    since: dict[str, int] = {}  # KPI -> replications when it last started meeting the criterion
    first = min(max(scenario.replications, 2), max_replications)
    batch = batch or max(executor.start().workers, 2)
    parts: list[Tables] = []
    rows: list[pd.DataFrame] = []
    want = first
    with progress_scope(progress, want, scenario.name) as (step, bar):
        while True:
            new = list(range(len(parts), want))
            for r, tables in zip(
                new, replicate(scenario, new, executor, step, function), strict=True
            ):
                parts.append(tables)
                cases, offices, daily, front_door = tables
                rows.append(
                    kpi_functions.replication_kpis(
                        cases, offices, daily, scenario.horizon_days, [r], front_door
                    )
                )
            table = precision_table(pd.concat(rows), kpis, precision, floor)
            for kpi, ok in zip(table["kpi"], table["met"], strict=True):
                if not ok:
                    since.pop(kpi, None)
                else:
                    since.setdefault(kpi, len(parts))
            met = bool(table["met"].all())
            if met or len(parts) >= max_replications:
                break
            want = min(len(parts) + batch, max_replications)
            if bar is not None:
                bar.total = want
                bar.refresh()
    last = None
    if met and since:
        ratio = (table["half_width"] / table["limit"]).fillna(0.0).to_numpy()
        order = {k: (since[k], float(ratio[i])) for i, k in enumerate(table["kpi"]) if k in since}
        last = max(order, key=order.__getitem__)
    return parts, PrecisionReport(precision, len(parts), max_replications, met, table, last)


# ---------------------------------------------------------------- results


@dataclass
class Results:
    """Everything one run of a scenario produced, as DataFrames."""

    scenario: Scenario
    cases: pd.DataFrame
    offices: pd.DataFrame
    daily: pd.DataFrame
    by_replication: pd.DataFrame
    """One row per replication, one column per KPI."""
    front_door: pd.DataFrame | None = None
    """Requests per county, kind and channel, and what the front door did with them."""
    kpis: pd.DataFrame = field(init=False)
    """``kpi, mean, ci_low, ci_high, replications, target, meets``."""
    precision: PrecisionReport | None = None
    """How many replications a precision-driven run took (``None`` for a fixed number)."""
    events: pd.DataFrame | None = None
    """The event log (``run(..., events=True)``): one row per step of every case."""
    _by_county: pd.DataFrame | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.kpis = kpi_functions.summarize(
            self.by_replication, self.scenario.targets, strict=self.scenario.strict_targets
        )

    @property
    def kpis_by_county(self) -> pd.DataFrame:
        """``kpis_by_county.csv``: per county and KPI its mean, interval, replications, the
        county's own target (``Scenario.county_targets``) and whether it meets it."""
        if self._by_county is None:
            from ..analysis.counties import county_kpis

            self._by_county = county_kpis(
                self.cases, self.offices, self.daily, self.scenario.horizon_days,
                county_targets=self.scenario.county_targets,
                strict=self.scenario.strict_targets,
            )  # fmt: skip
        return self._by_county

    def kpi(self, name: str) -> float:
        """The mean over replications of one KPI."""
        return float(self.kpis.set_index("kpi").loc[name, "mean"])

    def save(self, directory: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the five outputs into ``directory``, all or nothing.

        Files are written into a temporary folder beside the target and moved into place only
        when complete, so a reader never sees a half-written result (``store.staged_folder``).
        A folder holding another scenario's results is replaced only with ``force``; a
        non-empty folder that is not a result folder never (``folders.check_replaceable``).
        """

        def replaceable(target: Path) -> None:
            folders.check_replaceable(target, self.scenario, force=force)

        replaceable(Path(directory))  # before writing anything
        with store.staged_folder(directory, check=replaceable) as staging:
            self.write_into(staging)
        return Path(directory)

    def to_excel(
        self, path: str | os.PathLike, lang: str = "en", max_case_rows: int | None = None
    ) -> Path:
        """Write one ``.xlsx`` workbook: KPIs with targets, KPIs by county, offices and the
        cases (at most ``max_case_rows``, default 100,000, with a note), headers in ``lang``.
        The file appears whole or not at all. Returns its path."""
        from .workbook import MAX_CASE_ROWS, write_workbook

        limit = MAX_CASE_ROWS if max_case_rows is None else max_case_rows
        return write_workbook(self, path, lang, limit)

    def write_into(self, folder: Path) -> None:
        """Write the five outputs into an existing folder (no atomicity: see ``save``)."""
        self.kpis.to_csv(folder / "kpis.csv", index=False)
        self.kpis_by_county.to_csv(folder / "kpis_by_county.csv", index=False)
        self.cases.to_parquet(folder / "cases.parquet", index=False)
        self.offices.to_csv(folder / "offices.csv", index=False)
        self.daily.to_csv(folder / "daily.csv", index=False)
        grid_table(self.cases).to_csv(folder / "grids.csv", index=False)
        if self.front_door is not None:
            self.front_door.to_csv(folder / "front_door.csv", index=False)
        if self.events is not None:
            self.events.to_parquet(folder / "events.parquet", index=False)
        (folder / "scenario.yaml").write_text(dump_yaml(self.scenario), encoding="utf-8")


def run(
    scenario: Scenario | str | os.PathLike | dict,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    progress: Progress = None,
    *,
    executor: str | Executor | None = None,
    scheduler: str | None = None,
    precision: float | None = None,
    max_replications: int | None = None,
    batch: int | None = None,
    precision_floor: float = RATE_FLOOR,
    precision_kpis: Sequence[str] | None = None,
    max_cases: float | None = None,
    max_memory_gb: float | None = None,
    replicate: Replicate | None = None,
    events: bool = False,
) -> Results:
    """Run ``replications`` of a scenario (defaults from the scenario) and compute its KPIs.

    ``progress``, when callable, is called with 1 after each finished replication (``True``
    shows a ``tqdm.auto`` bar). ``executor`` is ``"serial"``, ``"processes"``, ``"dask"`` or an
    ``Executor`` (reused, not closed); by default a process pool when ``workers`` > 1.
    ``scheduler`` is the address of a running Dask scheduler.

    With ``precision`` (e.g. 0.05), ``replications`` is the first batch and batches of
    ``batch`` replications (default: one per worker, at least 2) are added until the 95%
    half-width of every KPI of ``precision_kpis`` (default: every KPI with a target) is within
    ``precision`` × |mean| (or ``precision_floor`` for shares), up to ``max_replications``
    (default 100); ``Results.precision`` says how it ended and which KPI converged last.

    Before anything runs, the cases per replication and the peak memory are estimated
    (``limits.py``); above ``max_cases`` (default 5 million simulated cases per replication) or
    ``max_memory_gb`` (default 8) a ``limits.LimitError`` (a ``ScenarioError``) says the estimate
    and how to raise the limit (``math.inf`` lifts it).

    ``replicate`` replaces the replication function (:data:`Replicate`; default
    :func:`run_replication`), e.g. one that fails on purpose; on a process pool or a Dask
    cluster it must be picklable (defined at module level).

    ``events=True`` also keeps the event log (``Results.events``, saved as ``events.parquet``):
    one row per step of every case, about 22 bytes an event while running (docs/model.md).
    """
    if events and precision is not None:
        raise ValueError("events=True needs a fixed number of replications, not precision")
    if events and replicate is not None:
        raise ValueError("events=True keeps the standard replication function")
    function = replicate
    scenario = with_run_control(scenario, replications, seed)
    if isinstance(executor, Executor):
        parallel = executor.workers
    elif executor == "serial" or (executor is None and not scheduler and (workers or 1) <= 1):
        parallel = 1
    else:
        parallel = workers or os.cpu_count() or 1
    check_limits(scenario, max_cases, max_memory_gb, parallel)
    check_runnable(scenario)
    with executor_scope(executor, workers, scheduler) as ex:
        if precision is None:
            indices = list(range(scenario.replications))
            with progress_scope(progress, len(indices), scenario.name) as (step, _):
                if not events:
                    parts = _replicate(scenario, indices, ex, step, function)
                    return combine(scenario, parts, indices)
                logged = _replicate(scenario, indices, ex, step, run_replication_with_events)
            results = combine(scenario, [tables for tables, _ in logged], indices)
            results.events = pd.concat([log for _, log in logged], ignore_index=True)
            return results
        if not precision > 0:
            raise ValueError(f"precision must be positive, got {precision!r}")
        unknown = [k for k in precision_kpis or [] if k not in kpi_functions.KPI_NAMES]
        if unknown:
            raise ValueError(f"precision_kpis: unknown KPI(s) {', '.join(unknown)}")
        ceiling = max_replications or max(DEFAULT_MAX_REPLICATIONS, scenario.replications)
        parts, report = _until_precise(
            scenario,
            ex,
            precision,
            ceiling,
            batch,
            precision_floor,
            progress,
            function,
            precision_kpis,
        )
    indices = list(range(len(parts)))
    scenario = scenario.replace(replications=len(parts))
    results = combine(scenario, parts, indices)
    results.precision = report
    return results
