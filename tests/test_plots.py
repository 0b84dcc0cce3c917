"""Figures: each function on small hand-made tables draws the right artists, with labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from simulation.analysis.kpis import replication_kpis, summarize
from simulation.contract import CHANNELS, LEVELS, OUTCOMES, SEVERITIES
from simulation.outputs import figures as plots
from simulation.outputs import figures_system
from simulation.outputs.results_io import RunTables

COUNTIES = ["North", "South", "East"]
TARGETS = {"one_door_rate": 0.95, "one_trip_rate": 0.9, "grassroots_rate": 0.9}
LIMITS = {"minor": 15, "general": 30, "major": 60, "critical": 60}


def hand_cases(seed: int, reps: int = 3, n: int = 60, extra_doors: int = 0) -> pd.DataFrame:
    """``n`` cases per replication with every channel, level, outcome and severity present."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(reps):
        for i in range(n):
            outcome = OUTCOMES[i % len(OUTCOMES)] if i % 3 == 0 else "resolved"
            arrival = float(rng.uniform(0, 30))
            rows.append(
                {
                    "replication": r,
                    "case_id": i,
                    "type": "dispute",
                    "severity": SEVERITIES[i % len(SEVERITIES)],
                    "channel": CHANNELS[i % len(CHANNELS)],
                    "county": COUNTIES[i % len(COUNTIES)],
                    "town": "t",
                    "village": "v",
                    "grid": "g",
                    "arrival_day": arrival,
                    "closed_day": np.nan if outcome == "open" else arrival + rng.exponential(5),
                    "outcome": outcome,
                    "closed_level": LEVELS[(i // 2) % len(LEVELS)],
                    "levels": 1,
                    "doors": int(rng.integers(0, 3)) + extra_doors * (i % 2),
                    "trips": int(rng.integers(0, 4)),
                    "wait_hours": 1.0,
                    "handling_hours": 2.0,
                    "on_time": bool(i % 5),
                }
            )
    return pd.DataFrame(rows)


def hand_offices(seed: int, reps: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(reps):
        rows.append(("Jiaxing", "city", "", 6))
        for c in COUNTIES:
            rows.append((c, "county", c, 10))
            rows.append((f"{c}/town-1", "town", c, 4))
            rows.append((f"{c}/town-1/village-1", "village", c, 2))
            rows.append((f"{c}/town-1/village-1/grid-1", "grid", c, 1))
    frame = pd.DataFrame(rows, columns=["office", "level", "county", "staff"])
    frame["replication"] = np.repeat(np.arange(reps), len(rows) // reps)
    frame["arrivals"] = rng.integers(0, 50, len(frame))
    frame["handled"] = frame["arrivals"]
    frame["resolved"] = frame["handled"] // 2
    frame["utilization"] = rng.uniform(0, 0.8, len(frame))
    frame["mean_wait_hours"] = rng.uniform(0, 10, len(frame))
    frame["max_queue"] = 3
    return frame


def hand_daily(seed: int, reps: int = 3, days: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product(
        [range(reps), range(-5, days), LEVELS], names=["replication", "day", "level"]
    )
    frame = index.to_frame(index=False)
    frame["open_cases"] = rng.integers(0, 40, len(frame))
    frame["backlog"] = rng.integers(0, 5, len(frame))
    frame["queue"] = rng.integers(0, 10, len(frame))
    frame["busy_staff"] = rng.integers(0, 3, len(frame))
    return frame


def hand_run(name: str, seed: int, extra_doors: int = 0) -> RunTables:
    cases = hand_cases(seed, extra_doors=extra_doors)
    offices, daily = hand_offices(seed), hand_daily(seed)
    per_rep = replication_kpis(cases, offices, daily, 30)
    scenario = {"name": name, "seed": 1, "targets": TARGETS, "time_limits_days": LIMITS}
    return RunTables(name, scenario, summarize(per_rep, TARGETS), cases, offices, daily, per_rep)


@pytest.fixture(scope="module")
def runs() -> list[RunTables]:
    return [hand_run("base", 1), hand_run("more-doors", 2, extra_doors=2)]


def of(runs, attr):
    return {r.name: getattr(r, attr) for r in runs}


def bars_of(ax) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def visible_axes(fig: Figure):
    return [ax for ax in fig.axes if ax.get_visible()]


def has_title(fig: Figure) -> bool:
    return bool(fig.get_suptitle()) or all(ax.get_title() for ax in visible_axes(fig))


def test_scenario_colours_are_fixed_by_position_and_distinct():
    colors = plots.scenario_colors(["a", "b", "c"])
    assert colors["a"] == plots.PALETTE[0]
    assert len(set(colors.values())) == 3


def test_scorecard_has_one_panel_per_target_with_points_target_line_and_marks(runs):
    fig = plots.kpi_scorecard(of(runs, "kpis"))
    axes = visible_axes(fig)
    assert len(axes) == len(TARGETS)
    for ax in axes:
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == len(runs)
        assert any(line.get_linestyle() == "--" for line in ax.get_lines())
        marks = [t.get_text() for t in ax.texts if t.get_text() in ("✓", "✗")]
        assert len(marks) == len(runs)
        assert ax.get_title() and ax.get_ylabel()
    assert fig.legends and [t.get_text() for t in fig.legends[0].get_texts()] == [
        "base",
        "more-doors",
    ]


def test_scorecard_marks_follow_meets(runs):
    kpis = runs[0].kpis.copy()
    kpis["meets"] = pd.array([False] * len(kpis), dtype="boolean")
    fig = plots.kpi_scorecard(kpis, names=["one_door_rate"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["✗"]


def test_outcome_bars_stack_every_category_per_scenario(runs):
    fig = plots.outcome_bars(of(runs, "cases"))
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == len(plots.END_CATEGORIES)
    assert all(len(b) == len(runs) for b in bars)
    tops = np.sum([[p.get_height() for p in b] for b in bars], axis=0)
    assert tops == pytest.approx([1.0, 1.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["base", "more-doors"]
    assert ax.get_ylabel() and ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "resolved at grid" in labels and "open" in labels


def test_time_to_close_has_a_panel_per_severity_with_a_line_per_scenario_and_the_limit(runs):
    fig = plots.time_to_close(of(runs, "cases"), LIMITS)
    axes = visible_axes(fig)
    assert len(axes) == len(SEVERITIES)
    for ax, severity in zip(axes, SEVERITIES, strict=True):
        steps = [ln for ln in ax.get_lines() if ln.get_label() in ("base", "more-doors")]
        assert len(steps) == len(runs)
        limits = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [LIMITS[severity]] * 2]
        assert len(limits) == 1
        assert ax.get_xlabel() and severity in ax.get_title()
        assert len(ax.collections) == len(runs)  # one confidence band each


def test_doors_and_trips_have_grouped_bars_with_error_bars(runs):
    fig = plots.doors_and_trips(of(runs, "cases"))
    axes = visible_axes(fig)
    assert len(axes) == 2
    for ax in axes:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == len(runs)
        assert all(len(b) == 5 for b in bars)  # 0, 1, 2, 3, 4+
        assert all(b.errorbar is not None for b in bars)
        assert ax.get_xlabel() and ax.get_ylabel()
    heights = [p.get_height() for p in bars_of(axes[0])[0]]
    assert sum(heights) == pytest.approx(1.0)


def test_open_cases_have_a_mean_line_and_band_per_scenario_and_shaded_warmup(runs):
    fig = plots.open_cases_over_time(of(runs, "daily"))
    axes = visible_axes(fig)
    assert len(axes) == 2
    for ax in axes:
        assert len(ax.get_lines()) == len(runs)
        assert len(ax.collections) == len(runs)
        assert ax.patches  # the warm-up span
        assert ax.get_ylabel() == "cases at day end"
    line = axes[0].get_lines()[0]
    daily = runs[0].daily
    expected = daily.groupby(["day", "replication"])["open_cases"].sum().groupby("day").mean()
    assert line.get_ydata() == pytest.approx(expected.to_numpy())


def test_utilisation_by_level_and_by_county(runs):
    fig = plots.utilisation(of(runs, "offices"))
    by_level, by_county = visible_axes(fig)
    for ax, n in ((by_level, len(LEVELS)), (by_county, len(COUNTIES))):
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == len(runs) and all(len(b) == n for b in bars)
    assert [t.get_text() for t in by_county.get_xticklabels()] == COUNTIES
    offices = runs[0].offices
    city = offices[offices["level"] == "city"]["utilization"].mean()
    assert bars_of(by_level)[0][LEVELS.index("city")].get_height() == pytest.approx(city)


def test_flow_draws_one_band_per_channel_level_and_level_outcome_pair(runs):
    fig = plots.flow(of(runs, "cases"))
    axes = visible_axes(fig)
    assert len(axes) == len(runs)
    for ax, run in zip(axes, runs, strict=True):
        cases = run.cases
        pairs = len(cases[["channel", "closed_level"]].drop_duplicates()) + len(
            cases[["closed_level", "outcome"]].drop_duplicates()
        )
        assert sum(isinstance(p, PathPatch) for p in ax.patches) == pairs
        assert run.name in ax.get_title()


def test_county_small_multiples_have_a_panel_per_county_and_three_rates(runs):
    fig = plots.county_rates(of(runs, "cases"), TARGETS)
    axes = visible_axes(fig)
    assert [ax.get_title() for ax in axes] == COUNTIES
    for ax in axes:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == len(runs) and all(len(b) == 3 for b in bars)
        dashed = [c for c in ax.collections if c.get_linestyle()[0][1] is not None]
        assert len(dashed) == 3  # one target segment per rate


def test_county_misses_are_visible_on_the_county_figure(runs):
    # a target just above one county's one-trip rate: that county's panel gets a red cross
    cases = of(runs[:1], "cases")
    rates = figures_system._county_rates(next(iter(figures_system._named(cases).values())))
    by_county = rates["one_trip_rate"].groupby(level="county").mean().sort_values()
    worst, second = by_county.index[0], by_county.iloc[1]
    target = (by_county.iloc[0] + second) / 2
    fig = plots.county_rates(cases, {**TARGETS, "one_trip_rate": target})
    axes = visible_axes(fig)
    crosses = {
        ax.get_title(): [ln for ln in ax.lines if ln.get_marker() == "x" and ln.get_xdata()[0] < 1.5
                         and ln.get_xdata()[0] > 0.5]
        for ax in axes
    }  # fmt: skip
    assert [t for t, c in crosses.items() if c] == [worst]
    low, high = axes[0].get_ylim()  # the axis spans the values and targets, no more
    assert low <= by_county.iloc[0] and target <= high <= 1.005 + 1e-9


def test_single_dataframe_is_one_scenario(runs):
    fig = plots.doors_and_trips(runs[0].cases)
    assert len([c for c in fig.axes[0].containers if isinstance(c, BarContainer)]) == 1


def test_standard_figures_draw_the_whole_set_and_save_pngs(runs, tmp_path):
    figures = plots.standard_figures(runs)
    assert tuple(figures) == plots.FIGURES
    assert all(has_title(fig) for fig in figures.values())
    paths = plots.save_figures(figures, tmp_path, dpi=40)
    assert [p.name for p in paths] == [f"{name}.png" for name in plots.FIGURES]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_standard_figures_refuse_duplicate_names(runs):
    with pytest.raises(ValueError, match="distinct"):
        plots.standard_figures([runs[0], runs[0]])
