"""The optimiser's frontier: every evaluated staffing's cost against the binding KPI."""

from __future__ import annotations

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import store
from ..contract import is_share
from ..i18n import DEFAULT_LANGUAGE, kpi_label, text
from .fonts import install_cjk_font


def frontier_figure(
    search: pd.DataFrame,
    objective: str,
    column: str,
    target: float | None = None,
    best_cost: float | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> Figure:
    """Scatter of ``search.csv``: ``objective`` (x) against the KPI ``column`` (``where:kpi``,
    y), points meeting every target filled, the others hollow; the target as a dashed line and
    the verified answer as a star."""
    install_cjk_font()
    fig = Figure(figsize=(7, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ok = search["feasible"].astype(bool)
    scale = 1e6 if objective == "staff_cost" else 1.0
    x = search[objective] / scale
    y = search[column]
    ax.scatter(x[~ok], y[~ok], facecolors="none", edgecolors="#d62728",
               label=text("fig.frontier.fails", lang))  # fmt: skip
    ax.scatter(x[ok], y[ok], color="#2ca02c", label=text("fig.frontier.meets", lang))
    if target is not None:
        ax.axhline(target, color="0.3", linestyle="--", linewidth=1,
                   label=text("fig.frontier.target", lang))  # fmt: skip
    if best_cost is not None:
        at = search[search[objective] == best_cost]
        if len(at):
            ax.scatter([best_cost / scale], [at[column].iloc[0]], marker="*", s=260,
                       color="black", zorder=5, label=text("fig.frontier.best", lang))  # fmt: skip
    where, _, kpi = column.partition(":")
    unit = text("fig.frontier.million_yuan", lang) if scale > 1 else text("unit.staff", lang)
    ax.set_xlabel(f"{objective} ({unit})")
    ax.set_ylabel(f"{kpi_label(kpi, lang)} — {where}")
    if is_share(kpi):
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(text("fig.frontier.title", lang))
    return fig


def save_frontier(optimum, out) -> None:
    """``frontier.png`` in ``out``: cost against the binding KPI over every evaluated point of
    an :class:`~simulation.experiments.optimise.Optimum` (nothing when no target binds)."""
    from pathlib import Path

    t = optimum.binding()
    if t is None:
        return
    best = optimum.best.cost if optimum.passed and optimum.best is not None else None
    fig = frontier_figure(optimum.search, optimum.objective, f"{t['where']}:{t['kpi']}",
                          float(t["target"]), best)  # fmt: skip
    with store.staged_file(Path(out) / "frontier.png", suffix=".png") as staging:
        fig.savefig(staging, dpi=110)
