"""Figures of the offices and places: staff utilisation by level, the flow of cases up
the hierarchy and the county small multiples (see :mod:`.figures` for the conventions)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from ..contract import (
    CHANNELS,
    GRASSROOTS_LEVELS,
    LEVELS,
    OUTCOMES,
)
from ..i18n import DEFAULT_LANGUAGE, text, value_label
from .figure_kit import (
    Tables,
    _ci_bars,
    _ci_frame,
    _colors,
    _figure,
    _named,
    _percent,
    _place,
    _scenario_legend,
    _text,
)

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
