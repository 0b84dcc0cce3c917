"""Figures for reviewers: pure functions from result tables to a matplotlib ``Figure``.

Every function takes one table per scenario — a mapping ``{scenario name: DataFrame}`` in
display order (the first is the base), or a single DataFrame for one run — and returns a new
``Figure`` drawn on the Agg canvas (no pyplot, no global state, no files). Each scenario keeps
one colour in every figure (:func:`scenario_colors`); confidence intervals are 95% Student-t
intervals over replications (the same as ``kpis.csv``) drawn as error bars or bands.
:func:`standard_figures` draws the whole set for a list of runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import PercentFormatter

from ..analysis.stats import half_width, t_quantile
from ..contract import (
    CHANNELS,
    GRASSROOTS_LEVELS,
    KPI_BY_NAME,
    LEVELS,
    LOWER_IS_BETTER,
    OUTCOMES,
    SEVERITIES,
)
from ..i18n import DEFAULT_LANGUAGE, text, value_label
from .fonts import install_cjk_font

install_cjk_font()  # Chinese labels render as characters (never boxes) in every figure

__all__ = [
    "FIGURES",
    "county_rates",
    "doors_and_trips",
    "flow",
    "kpi_scorecard",
    "open_cases_over_time",
    "outcome_bars",
    "save_figures",
    "scenario_colors",
    "standard_figures",
    "time_to_close",
    "utilisation",
]

Tables = Mapping[str, pd.DataFrame] | pd.DataFrame
CONFIDENCE = 0.95
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
"""Colour-blind-aware tab10 order; the base scenario is always blue."""

# stacked categories of "where cases end", bottom to top
END_CATEGORIES: tuple[str, ...] = (
    *(f"resolved at {level}" for level in LEVELS),
    *(o.replace("_", " ") for o in OUTCOMES if o != "resolved"),
)
END_COLORS: tuple[str, ...] = (
    "#c7e9c0",
    "#74c476",
    "#31a354",
    "#006d2c",
    "#00441b",
    "#fdae6b",
    "#d94801",
    "#969696",
    "#d9d9d9",
)


# ---------------------------------------------------------------- helpers


def scenario_colors(names: Sequence[str]) -> dict[str, str]:
    """One colour per scenario, by position (the first, the base, is blue)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def _named(tables: Tables, name: str = "run") -> dict[str, pd.DataFrame]:
    if isinstance(tables, pd.DataFrame):
        return {name: tables}
    if not tables:
        raise ValueError("no tables to plot")
    return dict(tables)


def _colors(names: Sequence[str], colors: Mapping[str, str] | None) -> dict[str, str]:
    base = scenario_colors(names)
    if colors:
        base.update({k: v for k, v in colors.items() if k in base})
    return base


ECDF_POINTS = 400
LINESTYLES = ("-", "--", ":", "-.")
"""Line styles by scenario position, so lines that coincide (common random numbers) stay
visible."""


def _style(i: int) -> str:
    return LINESTYLES[i % len(LINESTYLES)]


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _ci(values: np.ndarray) -> tuple[float, float]:
    """Mean and half-width of the Student-t interval (NaN half-width below 2 values)."""
    return half_width(values, CONFIDENCE)


def _ci_frame(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean and half-width of each column of a replications × items table."""
    rows = {col: _ci(per_rep[col].to_numpy()) for col in per_rep.columns}
    return pd.DataFrame(rows, index=["mean", "half"]).T


def _err(half: np.ndarray) -> np.ndarray:
    return np.nan_to_num(np.asarray(half, dtype=float), nan=0.0)


def _ci_bars(ax, x, i: int, width: float, ci: pd.DataFrame, color, capsize: int = 3, **kw):
    """Scenario ``i``'s bars of a grouped bar chart: means with their 95% intervals."""
    ax.bar(
        x - 0.4 + width * (i + 0.5),
        ci["mean"].to_numpy(),
        width,
        yerr=_err(ci["half"].to_numpy()),
        capsize=capsize,
        color=color,
        **kw,
    )


def _percent(ax, axis: str = "y") -> None:
    """Tick labels of a share axis as percentages (the data stay shares in [0, 1])."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=0))


def _end_label(category: str, lang: str) -> str:
    """``resolved at town`` → ``镇街道化解`` in Chinese (the legend of "where cases end")."""
    if category.startswith("resolved at "):
        level = category.removeprefix("resolved at ")
        return text("fig.resolved_at", lang, level=value_label(level, lang))
    return value_label(category.replace(" ", "_"), lang)


def _place(name: str, places: Mapping[str, str] | None) -> str:
    """A county or office name as shown: its Chinese name when ``places`` has one."""
    return (places or {}).get(name, name)


def _text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), None)


def _closed(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[_text(cases["outcome"]) != "open"]


def _scenario_legend(
    fig: Figure, colors: Mapping[str, str], lang: str = DEFAULT_LANGUAGE, **kwargs: Any
) -> None:
    handles = [
        Line2D([], [], color=c, marker="s", linestyle="", markersize=9) for c in colors.values()
    ]
    fig.legend(handles, list(colors), title=text("fig.scenario", lang), **kwargs)


def _share_by_rep(frame: pd.DataFrame, column: str, categories: Sequence[Any]) -> pd.DataFrame:
    """Replications × categories: share of each category of ``column`` within a replication."""
    values = _text(frame[column])
    counts = pd.crosstab(frame["replication"].to_numpy(), values.to_numpy())
    counts = counts.reindex(columns=list(categories), fill_value=0)
    totals = counts.sum(axis=1).replace(0, np.nan)
    return counts.div(totals, axis=0)


# ---------------------------------------------------------------- KPI scorecard


def kpi_scorecard(
    kpis: Tables,
    names: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Figure:
    """Each targeted KPI: mean and 95% CI per scenario, the target line, ✓ met / ✗ missed.

    ``kpis``: ``kpis.csv`` tables. ``names``: the KPIs to show (default: those with a target in
    the first table).
    """
    tables = _named(kpis)
    scen = list(tables)
    palette = _colors(scen, colors)
    first = next(iter(tables.values()))
    if names is None:
        names = [str(k) for k in first.loc[first["target"].notna(), "kpi"]]
    names = list(names) or ["one_door_rate"]
    cols = min(len(names), 5)
    rows = math.ceil(len(names) / cols)
    fig = _figure(2.6 * cols + 0.5, 3.0 * rows + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    for ax, kpi in zip(axes, names, strict=False):
        target = math.nan
        for i, (name, table) in enumerate(tables.items()):
            row = table.set_index("kpi").loc[kpi] if kpi in set(table["kpi"]) else None
            if row is None:
                continue
            mean, low, high = float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])
            if not math.isnan(float(row["target"])):
                target = float(row["target"])
            err = [[_err(mean - low)], [_err(high - mean)]]
            ax.errorbar([i], [mean], yerr=err, fmt="o", color=palette[name], capsize=5, ms=7)
            meets = row["meets"]
            if not pd.isna(meets):
                ax.annotate(
                    "✓" if bool(meets) else "✗",
                    (i, high if not math.isnan(high) else mean),
                    xytext=(0, 6),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=13,
                    color="#2ca02c" if bool(meets) else "#d62728",
                )
        if not math.isnan(target):
            ax.axhline(target, color="0.3", linestyle="--", linewidth=1.2, label="target")
        sense = "≤" if kpi in LOWER_IS_BETTER else "≥"
        known = KPI_BY_NAME.get(kpi)
        if known is None:
            title = kpi.replace("_", " ")
        else:
            title = known.label_zh if lang == "zh" else known.label_en
        ax.set_title(f"{title}\n{kpi} {sense} {text('fig.target', lang)}", fontsize=9)
        ax.set_xticks(range(len(scen)), [""] * len(scen))
        ax.set_xlim(-0.6, len(scen) - 0.4)
        is_share = known.is_share if known is not None else kpi.endswith("_rate")
        ax.set_ylabel(text("fig.share_of_cases", lang) if is_share else kpi)
        if is_share:
            _percent(ax)
        ax.margins(y=0.25)
        low, high = ax.get_ylim()
        if low < 0:  # every KPI is a share, count, mean or time: none is below zero
            ax.set_ylim(0, max(high, 1e-9))
        ax.grid(axis="y", alpha=0.3)
    _scenario_legend(fig, palette, lang, loc="outside lower center", ncols=min(len(scen), 4))
    fig.suptitle(text("fig.kpi_scorecard.title", lang))
    return fig


# ---------------------------------------------------------------- where cases end


def outcome_bars(
    cases: Tables, colors: Mapping[str, str] | None = None, lang: str = DEFAULT_LANGUAGE
) -> Figure:
    """Where cases end: stacked shares of resolution level and other outcomes per scenario.

    Shares are means over replications; the error bar marks the grassroots rate (resolved at
    town or below) with its 95% CI.
    """
    tables = _named(cases)
    scen = list(tables)
    palette = _colors(scen, colors)
    fig = _figure(max(7.0, 1.3 * len(scen) + 4.5), 4.8)
    ax = fig.subplots()
    x = np.arange(len(scen), dtype=float)
    bottoms = np.zeros(len(scen))
    grassroots = np.zeros((2, len(scen)))
    shares = []
    for name in scen:
        frame = tables[name]
        outcome = _text(frame["outcome"])
        level = _text(frame["closed_level"])
        category = np.where(outcome == "resolved", "resolved at " + level.astype(str), outcome)
        category = pd.Series(category).str.replace("_", " ").to_numpy()
        per_rep = _share_by_rep(
            pd.DataFrame({"replication": frame["replication"].to_numpy(), "c": category}),
            "c",
            END_CATEGORIES,
        )
        shares.append(per_rep.mean())
        low = per_rep[[f"resolved at {lv}" for lv in GRASSROOTS_LEVELS]].sum(axis=1)
        grassroots[:, len(shares) - 1] = _ci(low.to_numpy())
    for cat, color in zip(END_CATEGORIES, END_COLORS, strict=True):
        heights = np.asarray([float(s.get(cat, 0.0)) for s in shares])
        label = cat if lang == "en" else _end_label(cat, lang)
        ax.bar(x, heights, 0.6, bottom=bottoms, color=color, label=label, edgecolor="white")
        bottoms += np.nan_to_num(heights)
    ax.errorbar(
        x,
        grassroots[0],
        yerr=_err(grassroots[1]),
        fmt="_",
        color="black",
        capsize=6,
        ms=14,
        label=text("fig.grassroots_ci", lang),
    )
    ax.set_xticks(x, scen, rotation=20, ha="right")
    for tick, name in zip(ax.get_xticklabels(), scen, strict=True):
        tick.set_color(palette[name])
    ax.set_ylim(0, 1.0)
    _percent(ax)
    ax.set_ylabel(text("fig.share_of_counted", lang))
    # the long title spans the figure (over the axes it was clipped at the left edge)
    fig.suptitle(text("fig.outcomes.title", lang))
    ax.set_title(text("fig.mean_over_replications", lang), fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return fig


# ---------------------------------------------------------------- time to close


def time_to_close(
    cases: Tables,
    time_limits_days: Mapping[str, float] | None = None,
    colors: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Figure:
    """ECDF of days from arrival to closure per scenario, one panel per severity.

    Closed cases pooled over replications; the band is the 95% Dvoretzky–Kiefer–Wolfowitz
    band; the dashed line is the severity's time limit.
    """
    tables = _named(cases)
    scen = list(tables)
    palette = _colors(scen, colors)
    limits = dict(time_limits_days or {})
    present = set()
    for frame in tables.values():
        present.update(str(s) for s in _text(_closed(frame)["severity"]).dropna().unique())
    severities = [s for s in SEVERITIES if s in present] or list(SEVERITIES[:1])
    fig = _figure(3.2 * len(severities) + 0.6, 3.8)
    axes = fig.subplots(1, len(severities), squeeze=False, sharey=True).ravel()
    floor = 1 / 24
    for ax, severity in zip(axes, severities, strict=True):
        top = 1.0
        for i, name in enumerate(scen):
            closed = _closed(tables[name])
            closed = closed[_text(closed["severity"]) == severity]
            days = np.sort(
                (closed["closed_day"].astype(float) - closed["arrival_day"].astype(float))
                .dropna()
                .to_numpy()
            )
            if days.size == 0:
                continue
            days = np.maximum(days, floor)
            top = max(top, float(days[-1]))
            y = np.arange(1, days.size + 1) / days.size
            eps = math.sqrt(math.log(2 / (1 - CONFIDENCE)) / (2 * days.size))
            if days.size > ECDF_POINTS:  # thin to evenly spaced order statistics: same picture
                keep = np.unique(np.linspace(0, days.size - 1, ECDF_POINTS).astype(int))
                days, y = days[keep], y[keep]
            ax.step(
                days,
                y,
                where="post",
                color=palette[name],
                label=name,
                linewidth=1.6,
                linestyle=_style(i),
            )
            ax.fill_between(
                days,
                np.clip(y - eps, 0, 1),
                np.clip(y + eps, 0, 1),
                step="post",
                color=palette[name],
                alpha=0.15,
                linewidth=0,
            )
        if severity in limits:
            ax.axvline(limits[severity], color="0.2", linestyle="--", linewidth=1.2)
            ax.annotate(
                text("fig.limit", lang, days=f"{limits[severity]:g}"),
                (limits[severity], 0.04),
                xytext=(-4, 0),
                textcoords="offset points",
                rotation=90,
                ha="right",
                va="bottom",
                fontsize=8,
            )
            top = max(top, limits[severity] * 1.5)
        ax.set_xscale("log")
        ax.set_xlim(floor, top * 1.1)
        ax.set_ylim(0, 1.02)
        name = severity if lang == "en" else value_label(severity, lang)
        ax.set_title(f"{text('fig.cases_of', lang, severity=name)} ({severity})")
        ax.set_xlabel(text("fig.days_to_close", lang))
        _percent(ax)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(text("fig.closed_within", lang))
    _scenario_legend(fig, palette, lang, loc="outside lower center", ncols=min(len(scen), 4))
    fig.suptitle(text("fig.time_to_close.title", lang))
    return fig


# ---------------------------------------------------------------- doors and trips


def doors_and_trips(
    cases: Tables,
    colors: Mapping[str, str] | None = None,
    most: int = 4,
    lang: str = DEFAULT_LANGUAGE,
) -> Figure:
    """Distribution of doors and trips per closed case: share with 0, 1, …, ``most``+ per
    scenario (mean over replications, 95% CI error bars)."""
    tables = _named(cases)
    scen = list(tables)
    palette = _colors(scen, colors)
    fig = _figure(max(8.0, 1.1 * len(scen) + 7), 3.9)
    axes = fig.subplots(1, 2)
    bins = list(range(most)) + [most]
    labels = [str(b) for b in range(most)] + [f"{most}+"]
    for ax, column in zip(axes, ("doors", "trips"), strict=True):
        x = np.arange(len(bins), dtype=float)
        width = 0.8 / len(scen)
        for i, name in enumerate(scen):
            closed = _closed(tables[name])
            counts = np.minimum(closed[column].astype(int).to_numpy(), most)
            frame = pd.DataFrame({"replication": closed["replication"].to_numpy(), "n": counts})
            ci = _ci_frame(_share_by_rep(frame, "n", bins))
            _ci_bars(ax, x, i, width, ci, palette[name], label=name)
        ax.set_xticks(x, labels)
        what = column if lang == "en" else {"doors": "进门次数", "trips": "跑腿次数"}[column]
        ax.set_xlabel(text("fig.per_closed", lang, what=what))
        ax.set_ylabel(text("fig.share_of_closed", lang))
        _percent(ax)
        ax.set_ylim(bottom=0)
        ax.set_title(text("fig.doors" if column == "doors" else "fig.trips", lang))
        ax.grid(axis="y", alpha=0.3)
    _scenario_legend(fig, palette, lang, loc="outside right upper")
    fig.suptitle(text("fig.doors_and_trips.title", lang))
    return fig


# ---------------------------------------------------------------- open cases over time


def open_cases_over_time(
    daily: Tables, colors: Mapping[str, str] | None = None, lang: str = DEFAULT_LANGUAGE
) -> Figure:
    """Open cases and backlog (summed over levels) per day: mean over replications with a
    95% CI band; the warm-up (day < 0) is shaded."""
    tables = _named(daily)
    scen = list(tables)
    palette = _colors(scen, colors)
    fig = _figure(11, 4.0)
    axes = fig.subplots(1, 2, sharex=True)
    first_day = 0.0
    for i, name in enumerate(scen):
        frame = tables[name]
        total = frame.groupby(["day", "replication"])[["open_cases", "backlog"]].sum()
        for ax, column in zip(axes, ("open_cases", "backlog"), strict=True):
            wide = total[column].unstack("replication")
            n = wide.notna().sum(axis=1).to_numpy()
            mean = wide.mean(axis=1).to_numpy()
            sd = wide.std(axis=1, ddof=1).to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                t = np.where(n > 1, t_quantile(CONFIDENCE, np.maximum(n - 1, 1)), np.nan)
                half = np.nan_to_num(t * sd / np.sqrt(n), nan=0.0)
            days = wide.index.to_numpy(dtype=float)
            ax.plot(days, mean, _style(i), color=palette[name], label=name, linewidth=1.5)
            # counts are never negative: the band stops at 0
            low = np.maximum(mean - half, 0.0)
            ax.fill_between(days, low, mean + half, color=palette[name], alpha=0.2)
            if len(days):
                first_day = min(first_day, float(days.min()))
    titles = (text("fig.open_cases", lang), text("fig.backlog", lang))
    for ax, title in zip(axes, titles, strict=True):
        if first_day < 0:
            ax.axvspan(first_day, 0, color="0.85", zorder=0, label="warm-up")
        ax.set_title(title)
        ax.set_xlabel(text("fig.day", lang))
        ax.set_ylabel(text("fig.cases_at_day_end", lang))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    handles = [Rectangle((0, 0), 1, 1, color="0.85")]
    fig.legend(
        [
            Line2D([], [], color=c, linewidth=2, linestyle=_style(i))
            for i, c in enumerate(palette.values())
        ]
        + handles,
        list(palette) + [text("fig.warmup", lang)],
        loc="outside right upper",
    )
    fig.suptitle(text("fig.open_cases.title", lang))
    return fig


# ---------------------------------------------------------------- staff utilisation


def _weighted_util(offices: pd.DataFrame, by: str) -> pd.DataFrame:
    """Replications × groups: staff-weighted utilisation (as the ``utilization_L`` KPIs)."""
    frame = offices[offices["utilization"].notna()].copy()
    frame["num"] = frame["utilization"].astype(float) * frame["staff"].astype(float)
    sums = frame.groupby(["replication", by])[["num", "staff"]].sum()
    return (sums["num"] / sums["staff"].where(sums["staff"] > 0)).unstack(by)


def utilisation(
    offices: Tables,
    colors: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: Mapping[str, str] | None = None,
) -> Figure:
    """Staff utilisation by level, and by county for the county centres (mean, 95% CI)."""
    tables = _named(offices)
    scen = list(tables)
    palette = _colors(scen, colors)
    fig = _figure(13, 4.2)
    axes = fig.subplots(1, 2, width_ratios=[1, 1.4])
    width = 0.8 / len(scen)
    counties: dict[str, None] = {}
    for frame in tables.values():
        at = frame[_text(frame["level"]) == "county"]
        counties.update(dict.fromkeys(_text(at["county"]).dropna().astype(str)))
    for ax, (by, groups, label) in zip(
        axes,
        (
            ("level", list(LEVELS), text("fig.level", lang)),
            ("county", list(counties), text("fig.county_centre", lang)),
        ),
        strict=True,
    ):
        x = np.arange(len(groups), dtype=float)
        for i, name in enumerate(scen):
            frame = tables[name]
            if by == "county":
                frame = frame[_text(frame["level"]) == "county"]
            frame = frame.assign(**{by: _text(frame[by]).astype(str)})
            ci = _ci_frame(_weighted_util(frame, by).reindex(columns=groups))
            _ci_bars(ax, x, i, width, ci, palette[name], label=name)
        shown = groups
        if lang != "en":
            shown = [value_label(g, lang) if by == "level" else _place(g, places) for g in groups]
        ax.set_xticks(x, shown, rotation=0 if by == "level" else 30)
        ax.set_xlabel(label)
        ax.set_ylabel(text("fig.busy_share", lang))
        _percent(ax)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_title(text("fig.util_by_level", lang))
    axes[1].set_title(text("fig.util_by_county", lang))
    _scenario_legend(fig, palette, lang, loc="outside right upper")
    fig.suptitle(text("fig.utilisation.title", lang))
    return fig


# ---------------------------------------------------------------- flow through the hierarchy


def _band(ax, x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float], **kw):
    """A Sankey band from the interval ``y0`` at ``x0`` to ``y1`` at ``x1`` (cubic edges)."""
    mid = (x0 + x1) / 2
    verts = [
        (x0, y0[0]),
        (mid, y0[0]),
        (mid, y1[0]),
        (x1, y1[0]),
        (x1, y1[1]),
        (mid, y1[1]),
        (mid, y0[1]),
        (x0, y0[1]),
        (x0, y0[0]),
    ]
    codes = [MplPath.MOVETO] + [MplPath.CURVE4] * 3 + [MplPath.LINETO] + [MplPath.CURVE4] * 3
    codes += [MplPath.CLOSEPOLY]
    patch = PathPatch(MplPath(verts, codes), **kw)
    ax.add_patch(patch)
    return patch


def flow(
    cases: Tables, colors: Mapping[str, str] | None = None, lang: str = DEFAULT_LANGUAGE
) -> Figure:
    """Sankey-style flow per scenario: entry channel → level where the case closed (or is
    still open) → outcome; band widths are cases per replication."""
    tables = _named(cases)
    scen = list(tables)
    palette = _colors(scen, colors)
    fig = _figure(6.0 * min(len(scen), 2) + 0.5, 4.6 * math.ceil(len(scen) / 2))
    axes = fig.subplots(math.ceil(len(scen) / 2), min(len(scen), 2), squeeze=False).ravel()
    for ax in axes[len(scen) :]:
        ax.set_visible(False)
    columns = (list(CHANNELS), list(LEVELS), list(OUTCOMES))
    gap = 0.03
    for ax, name in zip(axes, scen, strict=False):
        frame = tables[name]
        reps = max(1, frame["replication"].nunique())
        keys = [_text(frame[c]).astype(str) for c in ("channel", "closed_level", "outcome")]
        total = float(len(frame)) / reps or 1.0
        layout: list[dict[str, tuple[float, float]]] = []
        for col, nodes in enumerate(columns):
            sizes = keys[col].value_counts().reindex(nodes, fill_value=0) / reps / total
            shown = [n for n in nodes if sizes[n] > 0]
            span = 1 - gap * max(0, len(shown) - 1)
            y, spans = 1.0, {}
            for node in shown:
                h = float(sizes[node]) * span
                spans[node] = (y - h, y)
                y -= h + gap
            layout.append(spans)
            for node, (lo, hi) in spans.items():
                ax.add_patch(Rectangle((col - 0.03, lo), 0.06, hi - lo, color="0.25"))
                ax.text(
                    col - 0.06 if col == 0 else col + 0.06,
                    (lo + hi) / 2,
                    f"{value_label(node, lang)} {float(sizes[node]) * total:,.0f}",
                    ha="right" if col == 0 else "left",
                    va="center",
                    fontsize=7,
                )
        for col in (0, 1):
            pairs = pd.DataFrame({"a": keys[col], "b": keys[col + 1]}).value_counts()
            out_order = {n: i for i, n in enumerate(columns[col])}
            in_order = {n: i for i, n in enumerate(columns[col + 1])}
            # bands leave each node top-down in the order of their targets, and enter each
            # target top-down in the order of their sources, so bands never cross at a node
            spans = [1 - gap * max(0, len(layout[c]) - 1) for c in (col, col + 1)]
            out_at = {n: hi for n, (lo, hi) in layout[col].items()}
            in_at = {n: hi for n, (lo, hi) in layout[col + 1].items()}
            starts = {}
            for a, b in sorted(pairs.index, key=lambda k: (out_order[k[0]], in_order[k[1]])):
                h = float(pairs[(a, b)]) / reps / total * spans[0]
                starts[(a, b)] = (out_at[a] - h, out_at[a])
                out_at[a] -= h
            for a, b in sorted(pairs.index, key=lambda k: (in_order[k[1]], out_order[k[0]])):
                h = float(pairs[(a, b)]) / reps / total * spans[1]
                _band(
                    ax,
                    col + 0.03,
                    starts[(a, b)],
                    col + 0.97,
                    (in_at[b] - h, in_at[b]),
                    facecolor=palette[name],
                    alpha=0.35,
                    edgecolor="none",
                )
                in_at[b] -= h
        heads = ("fig.entry_channel", "fig.level_at_close", "fig.outcome")
        for col, label in enumerate(text(h, lang) for h in heads):
            # the CJK font has no bold face: bold only for Latin text, in DejaVu Sans alone
            font = {"weight": "bold", "family": "DejaVu Sans"} if lang == "en" else {}
            ax.text(col, 1.05, label, ha="center", va="bottom", fontsize=9, **font)
        ax.set_xlim(-0.75, 2.75)
        ax.set_ylim(-0.05, 1.12)
        ax.axis("off")
        per_rep = text("fig.per_replication", lang, name=name, cases=f"{total:,.0f}")
        ax.set_title(per_rep, color=palette[name])
    fig.suptitle(text("fig.flow.title", lang))
    return fig


# ---------------------------------------------------------------- county small multiples

COUNTY_RATES: tuple[str, ...] = ("one_door_rate", "one_trip_rate", "grassroots_rate")


def _county_rates(cases: pd.DataFrame) -> pd.DataFrame:
    """Per (replication, county): the three rates with the ``kpis.py`` denominators
    (doors/trips over closed cases, grassroots over all cases)."""
    outcome = _text(cases["outcome"])
    level = _text(cases["closed_level"])
    frame = pd.DataFrame(
        {
            "replication": cases["replication"].to_numpy(),
            "county": _text(cases["county"]).astype(str).to_numpy(),
            "closed": (outcome != "open").to_numpy(),
            "door": (cases["doors"] <= 1).to_numpy(),
            "trip": (cases["trips"] <= 1).to_numpy(),
            "grass": ((outcome == "resolved") & level.isin(GRASSROOTS_LEVELS)).to_numpy(),
        }
    )
    groups = frame.groupby(["replication", "county"])
    closed = frame[frame["closed"]].groupby(["replication", "county"])
    return pd.DataFrame(
        {
            "one_door_rate": closed["door"].mean(),
            "one_trip_rate": closed["trip"].mean(),
            "grassroots_rate": groups["grass"].mean(),
        }
    )


def county_rates(
    cases: Tables,
    targets: Mapping[str, float] | None = None,
    colors: Mapping[str, str] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    places: Mapping[str, str] | None = None,
) -> Figure:
    """Small multiples, one panel per county: one-door, one-trip and grassroots rates per
    scenario (mean, 95% CI over replications), with the targets as short dashed lines. The
    shared axis spans the values and targets (not 0-100%) so a miss of a point shows, and a red
    cross marks each mean below its target."""
    tables = _named(cases)
    scen = list(tables)
    palette = _colors(scen, colors)
    rates = {name: _county_rates(frame) for name, frame in tables.items()}
    seen: dict[str, None] = {}
    for frame in tables.values():
        column = frame["county"]
        if isinstance(column.dtype, pd.CategoricalDtype):
            seen.update(dict.fromkeys(str(c) for c in column.cat.categories))
        else:
            seen.update(dict.fromkeys(_text(column).dropna().astype(str).unique()))
    counties = [c for c in seen if c] or ["(none)"]
    cols = min(4, len(counties))
    rows = math.ceil(len(counties) / cols)
    fig = _figure(3.3 * cols + 1.5, 2.9 * rows + 0.6)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    for ax in axes[len(counties) :]:
        ax.set_visible(False)
    x = np.arange(len(COUNTY_RATES), dtype=float)
    width = 0.8 / len(scen)
    ends = [targets[k] for k in COUNTY_RATES if targets and k in targets]
    for ax, county in zip(axes, counties, strict=False):
        for i, name in enumerate(scen):
            table = rates[name]
            at = (
                table.xs(county, level="county")
                if county in table.index.get_level_values(1)
                else None
            )
            if at is None:
                continue
            ci = _ci_frame(at[list(COUNTY_RATES)])
            _ci_bars(ax, x, i, width, ci, palette[name], capsize=2)
            half = np.nan_to_num(ci["half"].to_numpy(dtype=float))
            ends += [*(ci["mean"].to_numpy() - half), *(ci["mean"].to_numpy() + half)]
            for j, kpi in enumerate(COUNTY_RATES):  # a missed target: a red cross on the bar
                mean = float(ci.loc[kpi, "mean"])
                if targets and kpi in targets and mean < targets[kpi]:
                    ax.plot(x[j] - 0.4 + width * (i + 0.5), mean, "x", color="#d62728",
                            markersize=9, markeredgewidth=2.5, zorder=5)  # fmt: skip
        for j, kpi in enumerate(COUNTY_RATES):
            if targets and kpi in targets:
                ax.hlines(targets[kpi], j - 0.45, j + 0.45, colors="0.2", linestyles="--")
        ticks = [text(k, lang) for k in ("fig.one_door", "fig.one_trip", "fig.grassroots")]
        ax.set_xticks(x, ticks, fontsize=8)
        ax.set_title(county if lang == "en" else _place(county, places), fontsize=10)
        _percent(ax)
        ax.grid(axis="y", alpha=0.3)
    # the axis spans the values and targets, not 0-100%: a miss of a point is then visible
    # (the bars are cut at the bottom; a red cross marks a mean below its target)
    finite = [v for v in ends if np.isfinite(v)] or [0.0, 1.0]
    low, high = min(finite), max(finite)
    pad = max(0.01, 0.15 * (high - low))
    axes[0].set_ylim(max(0.0, low - pad), min(1.0, high + pad) + 0.005)
    for ax in axes[::cols]:
        ax.set_ylabel(text("fig.share_of_cases", lang))
    _scenario_legend(fig, palette, lang, loc="outside right upper")
    fig.suptitle(text("fig.counties.title", lang))
    return fig


# ---------------------------------------------------------------- the whole set

FIGURES: tuple[str, ...] = (
    "kpi_scorecard",
    "outcomes",
    "time_to_close",
    "doors_and_trips",
    "open_cases",
    "utilisation",
    "flow",
    "counties",
    "county_map",
)
"""File stems of :func:`standard_figures`, in report order (the report shows ``county_map``
first, beside the answers)."""


def place_names(scenario: Mapping[str, Any], lang: str) -> dict[str, str]:
    """English → shown name of the city, counties and towns of a resolved scenario (plain
    data): their Chinese names in Chinese when the city has real divisions, else none."""
    divisions = (scenario.get("city") or {}).get("divisions")
    if lang != "zh" or not divisions:
        return {}
    from ..scenario.divisions import load_divisions

    return load_divisions(str(divisions)).zh_names()


def standard_figures(
    runs: Sequence[Any], lang: str = DEFAULT_LANGUAGE, map_kpi: str | None = None
) -> dict[str, Figure]:
    """The reviewers' figure set for runs with ``name``, ``kpis``, ``cases``, ``offices``,
    ``daily``, ``targets`` and ``time_limits_days`` (``results_io.RunTables``); first = base.
    ``lang``: the language of titles and labels (``en`` or ``zh``); ``map_kpi``: the KPI of
    the county map (default: the first targeted one a county's cases determine)."""
    names = [r.name for r in runs]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be distinct, got {names}")
    palette = scenario_colors(names)
    base = runs[0]

    def of(attr: str) -> dict[str, pd.DataFrame]:
        return {r.name: getattr(r, attr) for r in runs}

    places = place_names(base.scenario, lang) if hasattr(base, "scenario") else {}
    limits = base.time_limits_days
    return {
        "kpi_scorecard": kpi_scorecard(of("kpis"), colors=palette, lang=lang),
        "outcomes": outcome_bars(of("cases"), colors=palette, lang=lang),
        "time_to_close": time_to_close(of("cases"), limits, colors=palette, lang=lang),
        "doors_and_trips": doors_and_trips(of("cases"), colors=palette, lang=lang),
        "open_cases": open_cases_over_time(of("daily"), colors=palette, lang=lang),
        "utilisation": utilisation(of("offices"), colors=palette, lang=lang, places=places),
        "flow": flow(of("cases"), colors=palette, lang=lang),
        "counties": county_rates(
            of("cases"), base.targets, colors=palette, lang=lang, places=places
        ),
        "county_map": _county_map(runs, map_kpi, lang),
    }


def _county_map(runs: Sequence[Any], kpi: str | None, lang: str) -> Figure:
    from ..analysis.counties import county_kpis
    from .county_map import county_map, default_map_kpi

    base = runs[0]
    kpi = kpi or default_map_kpi(base.targets)
    tables = {}
    for r in runs:
        horizon = float(r.scenario.get("horizon_days") or 1)
        tables[r.name] = county_kpis(r.cases, r.offices, r.daily, horizon, base.targets, [kpi])
    city = base.scenario.get("city") or {}
    divisions = city.get("divisions") if city.get("counties") else None
    return county_map(tables, kpi, divisions, lang, place_names(base.scenario, "zh"))


def save_figures(figures: Mapping[str, Figure], directory, dpi: int = 110) -> list:
    """Write each figure as ``<directory>/<name>.png``; returns the paths."""
    from pathlib import Path

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        path = out / f"{name}.png"
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    return paths
