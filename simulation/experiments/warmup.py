"""Warm-up help: how many days the model needs before its open cases settle.

``suggest_warmup`` runs the scenario from an empty system (no warm-up, same first simulated day,
same total length), averages the daily number of open cases over replications and applies
MSER-5 (White 1997; White, Cobb & Spratt 2000): the series is cut into means of 5 days and the
truncation point ``d`` that minimises the marginal standard error of the rest,
``Σ_{j>d} (Z_j − Z̄_d)² / (k − d)²``, is the suggested warm-up. Only the first half of the series
is searched; a cut close to that limit means the series has not settled (run longer with
``days``). The plot shows each replication, their mean, the 5-day batch means, Welch's moving
average and the cut.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from ..scenario.loader import dump_yaml
from ..scenario.schema import Scenario
from . import folders
from .executors import Executor
from .runner import Progress, run, with_run_control

__all__ = ["WarmupSuggestion", "mser", "open_cases_series", "suggest_warmup"]

BATCH_DAYS = 5
WELCH_WINDOW = 7
"""Days in the moving average drawn on the plot (Welch's method; a week smooths office hours)."""


def open_cases_series(daily: pd.DataFrame) -> pd.DataFrame:
    """Open cases summed over levels: one row per day, one column per replication."""
    total = daily.groupby(["day", "replication"])["open_cases"].sum()
    return total.unstack("replication").sort_index().astype(float)


def mser(series: np.ndarray, batch: int = BATCH_DAYS) -> tuple[int, np.ndarray]:
    """MSER-``batch``: ``(cut, statistic)`` where ``cut`` is the number of *points* to drop.

    The series is cut into means of ``batch`` points (a partial last batch is left out);
    ``statistic[d]`` is the MSER of the batch means with ``d`` batches dropped, for ``d`` up to
    half the batches. ``cut`` is ``batch × argmin``.
    """
    values = np.asarray(series, dtype=float)
    k = len(values) // batch
    if k < 2:
        raise ValueError(f"MSER-{batch} needs at least {2 * batch} points, got {len(values)}")
    z = values[: k * batch].reshape(k, batch).mean(axis=1)
    stat = np.empty(k // 2 + 1)
    for d in range(len(stat)):
        rest = z[d:]
        stat[d] = ((rest - rest.mean()) ** 2).sum() / (k - d) ** 2
    return int(np.argmin(stat)) * batch, stat


@dataclass
class WarmupSuggestion:
    """A suggested warm-up and the evidence for it."""

    scenario: Scenario
    """The scenario as given (its ``warmup_days`` is what it uses now)."""
    days: int
    """Suggested warm-up in days (MSER-5 cut)."""
    series: pd.DataFrame
    """Open cases per day (index: days from the empty start), one column per replication."""
    statistic: np.ndarray
    """MSER-5 statistic for each number of dropped 5-day batches."""
    replications: int
    seasonal: bool = False
    """Whether the run kept the monthly arrival profile."""

    @property
    def at_search_limit(self) -> bool:
        """The cut is at the last point searched: the series may not have settled."""
        return self.days // BATCH_DAYS >= len(self.statistic) - 1

    def summary(self) -> str:
        text = (
            f"suggested warm-up: {self.days} days (MSER-5 on daily open cases, mean of "
            f"{self.replications} replications over {len(self.series)} days from empty"
            f"{'' if self.seasonal else ', monthly profile flat'}); "
            f"the scenario uses {self.scenario.warmup_days}"
        )
        if self.days == 0:
            text += "\n(no bias of the empty start is visible at 5-day resolution)"
        if self.at_search_limit:
            text += (
                "\nwarning: the cut is at the end of the searched half: open cases may still be"
                " trending; try a longer run (--days)"
            )
        return text

    def plot(self, path: str | os.PathLike) -> Path:
        """Save the series with the cut marked (PNG, Agg backend: no display needed)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9, 4.5), dpi=110)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        days = self.series.index.to_numpy()
        for column in self.series.columns:
            ax.plot(days, self.series[column], color="0.75", lw=0.7)
        mean = self.series.mean(axis=1).to_numpy()
        ax.plot(days, mean, color="C0", lw=1.6, label="mean over replications")
        k = len(mean) // BATCH_DAYS
        centres = days[: k * BATCH_DAYS].reshape(k, BATCH_DAYS).mean(axis=1)
        batches = mean[: k * BATCH_DAYS].reshape(k, BATCH_DAYS).mean(axis=1)
        ax.plot(centres, batches, "o", ms=2.5, color="C1", label="5-day batch means")
        if len(mean) >= WELCH_WINDOW:
            welch = pd.Series(mean).rolling(WELCH_WINDOW, center=True).mean()
            ax.plot(days, welch, color="C2", lw=1.2, label="Welch moving average (7 days)")
        ax.axvline(self.days, color="C3", ls="--", label=f"suggested warm-up: {self.days} days")
        if self.scenario.warmup_days:
            ax.axvline(
                self.scenario.warmup_days,
                color="0.3",
                ls=":",
                label=f"scenario's warm-up: {self.scenario.warmup_days} days",
            )
        ax.set_xlabel("days from an empty system")
        ax.set_ylabel("open cases (all levels)")
        ax.set_title(f"{self.scenario.name}: warm-up (MSER-5)")
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        target = Path(path)
        fig.savefig(target)
        return target

    def save(self, directory: str | os.PathLike, *, force: bool = False) -> Path:
        """``warmup.png``, ``warmup.csv`` (day, each replication, mean) and the scenario's
        ``scenario.yaml`` into ``directory``, all or nothing; a folder holding another
        scenario's outputs is replaced only with ``force`` (``folders.check_replaceable``)."""

        def replaceable(target: Path) -> None:
            folders.check_replaceable(target, self.scenario, force=force, what="warm-up")

        replaceable(Path(directory))
        with store.staged_folder(directory, check=replaceable) as staging:
            (staging / "scenario.yaml").write_text(dump_yaml(self.scenario), encoding="utf-8")
            table = self.series.copy()
            table.columns = [f"replication_{c}" for c in table.columns]
            table["mean"] = self.series.mean(axis=1)
            table.index.name = "day"
            table.to_csv(staging / "warmup.csv")
            self.plot(staging / "warmup.png")
        return Path(directory)


def suggest_warmup(
    scenario: Scenario | str | os.PathLike | Mapping,
    replications: int | None = None,
    seed: int | None = None,
    days: int | None = None,
    workers: int | None = 1,
    executor: str | Executor | None = None,
    scheduler: str | None = None,
    progress: Progress = None,
    seasonal: bool = False,
) -> WarmupSuggestion:
    """Run ``scenario`` from empty and suggest a warm-up length (MSER-5 on open cases).

    The run starts on the scenario's first simulated day (``start_date − warmup_days``) with no
    warm-up and lasts ``days`` (default: warm-up plus horizon), so the calendar is that of the
    real run. The monthly arrival profile is made flat unless ``seasonal``: a seasonal trend is
    not a bias of the empty start, but MSER would cut it off as if it were. The weekly profile
    and office hours are kept (their weekly cycle is part of the steady state).
    """
    given = with_run_control(scenario, replications, seed)
    first_day = given.start_date - dt.timedelta(days=given.warmup_days)
    length = days if days is not None else given.warmup_days + given.horizon_days
    if length < 2 * BATCH_DAYS:
        raise ValueError(f"a warm-up analysis needs at least {2 * BATCH_DAYS} days")
    flat = {} if seasonal else {"arrivals.monthly": [1.0] * 12}
    from_empty = given.replace(start_date=first_day, warmup_days=0, horizon_days=length, **flat)
    results = run(
        from_empty,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        progress=progress,
    )
    series = open_cases_series(results.daily)
    cut, statistic = mser(series.mean(axis=1).to_numpy())
    return WarmupSuggestion(given, cut, series, statistic, from_empty.replications, seasonal)
