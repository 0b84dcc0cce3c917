"""What every figure shares: the scenario palette and line styles, the Agg figure, 95%
Student-t interval bars, percent axes, labels of places and outcomes, shares by replication."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ..analysis.stats import half_width
from ..contract import (
    LEVELS,
    OUTCOMES,
)
from ..i18n import DEFAULT_LANGUAGE, text, value_label
from .fonts import install_cjk_font

install_cjk_font()  # Chinese labels render as characters (never boxes) in every figure

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
