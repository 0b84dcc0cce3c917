"""Validation: the engine against answers known from queueing theory and from its own contract.

``govsim validate`` (and :func:`validate`) runs a suite of small scenarios whose results are
known in advance — Erlang C for single M/M/c offices, Erlang-A for the 12345 centre
(``hotline.py``), open Jackson networks on generated five-level trees, Cobham's formula for
non-preemptive priority by severity, Little's law inside a run (``queueing.py``), arrival
counts against the weekly/monthly profiles and surge volumes, throughput of an overloaded
office under a working calendar, and patience (``timing.py``) — and reports, per quantity, the
simulated mean over replications with its 95% interval, the theoretical value, the relative
error and whether the check passed (the rule: ``harness.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import store
from .harness import COLUMNS, Check, Context, Row
from .hotline import run_erlang_a
from .markdown import format_table, render_markdown
from .queueing import run_erlang, run_jackson, run_little, run_priority
from .timing import run_arrivals, run_calendar, run_patience

__all__ = ["CHECKS", "DEFAULT_SEED", "ValidationReport", "validate"]

DEFAULT_SEED = 1_000_003

# ---------------------------------------------------------------- the suite

CHECKS: tuple[Check, ...] = (
    Check(
        "erlang_c",
        "Erlang C: single M/M/c offices",
        "A city of one grid where only the grid handles (resolve at grid = 1), c staff, "
        "exponential handling of mean 1 h, Poisson arrivals at rate ρc an hour. Mean wait per "
        "handling started (`wait_hours_grid`) against C(c, a)/(cμ − λ); probability of waiting "
        "= share of cases with `wait_hours` > 0 against Erlang's C(c, a); utilisation against ρ.",
        True,
        run_erlang,
    ),
    Check(
        "erlang_a",
        "Erlang-A: the 12345 centre (M/M/n+M)",
        "A city whose only requests are 12345 calls, each settled by the operator who answers "
        "it: n seats round the clock, Poisson calls at an offered load λ/(nμ) of 0.8, 1.0 and "
        "1.2 (full suite also n = 20 at 0.9 and 1.1), exponential talk (mean 240 s) and "
        "patience (mean 300 s). `hotline_answer_rate` (answered within 20 s), "
        "`hotline_abandon_rate`, `wait_seconds_hotline` (mean wait of answered calls) and the "
        "seats' utilisation against Erlang-A (Garnett, Mandelbaum and Reiman 2002), computed "
        "exactly from the birth-death chain (`checks/erlang_a.py`).",
        True,
        run_erlang_a,
    ),
    Check(
        "jackson",
        "Jackson networks on generated five-level trees",
        "Generated trees (counties × towns × villages × grids), `grid_visit` only, exponential "
        "handling whose mean at each level is set so that the level runs at a chosen ρ, "
        "resolution probabilities per level. Each office is an M/M/c queue fed by its grid "
        "arrivals plus the unresolved outflow of its children; per level the arrivals a day, "
        "the staff-weighted utilisation and the handling-weighted mean wait are compared with "
        "the office-by-office theory, and the `resolved_at_*` shares with the product of the "
        "failure probabilities below times the level's resolution probability.",
        True,
        run_jackson,
    ),
    Check(
        "little",
        "Little's law inside a run",
        "On the Jackson runs: the time-average number waiting at each level, estimated by the "
        "mean of the end-of-day `queue` samples of `daily` over the counted days (an always-open "
        "calendar makes midnight an arbitrary instant, and queues relax within hours, so the "
        "samples are nearly independent), against λ̂·Ŵ of the same replication (queue entries a "
        "day ÷ 24 × mean wait per handling started). The comparison is paired by replication: "
        "the interval is that of the per-replication difference.",
        True,
        run_little,
    ),
    Check(
        "priority",
        "Non-preemptive priority by severity (Cobham)",
        "A single office serving severities in priority order without pre-emption: M/M/1 with "
        "λ = 0.2 (major) + 0.6 (minor), μ = 1, whose mean sojourns are 2.0 h and 6.0 h, and "
        "M/M/3 with three classes (full suite), against Cobham's formula "
        "W_k = C(c,a)/(cμ) / ((1 − σ_{k−1})(1 − σ_k)) plus the mean handling.",
        True,
        run_priority,
    ),
    Check(
        "arrivals",
        "Arrivals: weekly and monthly profiles, surges",
        "Two counties with the Jiaxing weekly and monthly profiles and two surges of their own "
        "case types. Baseline cases a day by weekday and by month against the base rate × "
        "weekly[w]/mean(weekly) × monthly[m]/mean(monthly), computed here from the calendar "
        "dates of 2021; surge volumes against per_day × days, and the share of surge cases that "
        "arrive in the surge's county and days.",
        True,
        run_arrivals,
    ),
    Check(
        "calendar",
        "Working calendars: an overloaded office",
        "A single grid office receiving twice its capacity: it must complete staff × open hours "
        "a day ÷ mean handling per workday, be busy all its open hours, and finish handlings "
        "only while open (a handling interrupted by a closing resumes at the next opening).",
        True,
        run_calendar,
    ),
    Check(
        "patience",
        "Patience: self-escalation",
        "The grid's only worker holds a warm-up case for the whole run, so every counted case "
        "waits longer than its 6 h patience: each must leave after exactly 6 h and walk in at "
        "the village (one door, one trip) and be resolved there, or give up with probability "
        "`give_up`. The run does not drain; cases of the last counted day are left out.",
        True,
        run_patience,
    ),
)


@dataclass
class ValidationReport:
    """The compared quantities of one suite run."""

    table: pd.DataFrame
    quick: bool
    seed: int
    seconds: dict[str, float]

    @property
    def passed(self) -> bool:
        return bool(self.table["passed"].all())

    @property
    def failures(self) -> pd.DataFrame:
        return self.table[~self.table["passed"]]

    def to_text(self) -> str:
        return format_table(self.table)

    def markdown(self) -> str:
        return render_markdown(self.table, self.quick, self.seed, CHECKS)

    def save(self, directory: str | Path) -> Path:
        """Write ``validation.csv`` and ``validation.md`` into ``directory``, each file all or
        nothing (the folder may be ``docs``, so the files are replaced, not the folder)."""
        out = Path(directory)
        csv = self.table.to_csv(index=False, float_format="%.6g", lineterminator="\n")
        store.write_text(out / "validation.csv", csv)
        store.write_text(out / "validation.md", self.markdown())
        return out


def validate(
    quick: bool = False,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    checks: Sequence[str] | None = None,
    out: str | Path | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> ValidationReport:
    """Run the validation suite (the quick subset with ``quick``) and return its report.

    ``checks`` restricts the suite to the named checks; ``out`` writes ``validation.csv`` and
    ``validation.md`` there; ``progress`` is called with each check's name and seconds.
    """
    selected = [c for c in CHECKS if (checks is None or c.name in checks)]
    if checks is not None:
        unknown = set(checks) - {c.name for c in CHECKS}
        if unknown:
            raise ValueError(
                f"unknown check(s) {sorted(unknown)}; known: {[c.name for c in CHECKS]}"
            )
    if quick:
        selected = [c for c in selected if c.in_quick]
    ctx = Context(seed=seed, quick=quick, workers=workers)
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for check in selected:
        start = time.perf_counter()
        rows += check.run(ctx)
        seconds[check.name] = time.perf_counter() - start
        if progress is not None:
            progress(check.name, seconds[check.name])
    table = pd.DataFrame([r.__dict__ for r in rows], columns=list(COLUMNS))
    report = ValidationReport(table, quick, seed, seconds)
    if out is not None:
        report.save(out)
    return report
