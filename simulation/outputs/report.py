"""The reviewers' report: one self-contained ``report.html`` comparing runs with a base.

It holds the KPI table (mean and 95% CI per scenario, targets ✓/✗), paired differences from the
base with their CIs and significance, the scenario keys that differ from the base, the run
metadata, and the figures of :mod:`simulation.plots` embedded as PNG data URIs (nothing is
loaded from the network). The figures are also written as PNG files beside it.

Paired differences use each run's per-replication KPIs (recomputed from its tables), matched by
replication index: run with the same seed, replication r of every scenario sees the same
citizens (common random numbers), so a difference's interval is much narrower than the two
separate intervals suggest.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..analysis import kpis as kpi_functions
from ..experiments.compare import COMPARISON_COLUMNS, paired_differences
from ..formats import number
from . import figures as plots
from .results_io import RunTables, flatten, load_results

__all__ = [
    "COMPARISON_COLUMNS",
    "kpi_comparison",
    "render_html",
    "run_metadata",
    "scenario_differences",
    "write_report",
]

NOISE = 1e-12
IGNORED_KEYS: frozenset[str] = frozenset({"name", "description"})
"""Scenario keys that always differ and say nothing about the model."""


# ---------------------------------------------------------------- tables


def kpi_comparison(runs: Sequence[RunTables], confidence: float = 0.95) -> pd.DataFrame:
    """Every KPI of every run with its CI, and for runs after the first the paired difference
    from the first (other − base) over the replication indices both have
    (``compare.paired_differences``), its CI, and whether the CI excludes 0. Columns
    ``COMPARISON_COLUMNS`` plus ``target``, ``meets`` (against the base's targets), ``pairs``.
    Differences below float noise (``NOISE``, e.g. a sum taken in another order) count as 0.
    """
    if not runs:
        raise ValueError("no runs to compare")
    base = runs[0]
    frames = []
    for run in runs:
        summary = kpi_functions.summarize(run.by_replication, base.targets, confidence)
        if run is base:
            summary["diff"] = summary["diff_ci_low"] = summary["diff_ci_high"] = math.nan
            summary["significant"] = pd.NA
            summary["pairs"] = 0
        else:
            diffs = paired_differences(base.by_replication, run.by_replication, confidence)
            noise = diffs[["diff", "diff_ci_low", "diff_ci_high"]].abs().max(axis=1) < NOISE
            diffs.loc[noise, ["diff", "diff_ci_low", "diff_ci_high"]] = 0.0
            diffs.loc[noise, "significant"] = False
            summary = summary.merge(diffs, on="kpi", how="left")
        summary.insert(1, "scenario", run.name)
        frames.append(summary)
    table = pd.concat(frames, ignore_index=True)
    columns = [*COMPARISON_COLUMNS, "target", "meets", "pairs"]
    return table[columns].astype({"significant": "boolean", "meets": "boolean"})


def _short(value: Any) -> str:
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return "–" if value is None else str(value)


def scenario_differences(runs: Sequence[RunTables]) -> pd.DataFrame:
    """Resolved scenario keys (flattened, ``a.b.c``) whose value differs from the base in any
    run: one row per key, one column per run (``–`` where a run lacks the key)."""
    flat = [flatten(run.scenario) for run in runs]
    keys: dict[str, None] = {}
    for f in flat:
        keys.update(dict.fromkeys(f))
    missing = object()
    differing = [
        k
        for k in keys
        if k not in IGNORED_KEYS
        and any(f.get(k, missing) != flat[0].get(k, missing) for f in flat[1:])
    ]
    data = {
        run.name: [_short(f.get(k)) if k in f else "–" for k in differing]
        for run, f in zip(runs, flat, strict=True)
    }
    return pd.DataFrame(data, index=pd.Index(differing, name="key"))


def run_metadata(runs: Sequence[RunTables]) -> pd.DataFrame:
    """One row per run: where it came from, seed, replications, horizon, run date."""
    rows = []
    for run in runs:
        s = run.scenario
        rows.append(
            {
                "scenario": run.name,
                "result folder": str(run.path) if run.path else "(in memory)",
                "seed": run.seed,
                "replications": len(run.replications),
                "start date": s.get("start_date", ""),
                "horizon days": s.get("horizon_days", ""),
                "warm-up days": s.get("warmup_days", ""),
                "counted cases": len(run.cases),
                "run date": run.run_date.strftime("%Y-%m-%d %H:%M UTC") if run.run_date else "",
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;
color:#222;padding:0 1em}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:13px;margin:.6em 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f2f2f2}td.k,th.k{text-align:left;font-family:monospace}
.ok{color:#1a7f37;font-weight:bold}.no{color:#c62828;font-weight:bold}
.sig{background:#fff3c4;font-weight:bold}.muted{color:#777}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:13px;color:#555}.swatch{display:inline-block;width:.9em;height:.9em;
margin-right:.3em;vertical-align:-.1em}
"""

FIGURE_CAPTIONS: dict[str, str] = {
    "kpi_scorecard": "Targeted KPIs: mean and 95% CI per scenario; dashed line: the target.",
    "outcomes": "Where cases end: share resolved at each level and other outcomes.",
    "time_to_close": "Days from arrival to closure (ECDF, closed cases) by severity; dashed: "
    "the time limit.",
    "doors_and_trips": "Doors (offices approached) and trips (places visited) per closed case.",
    "open_cases": "Open cases and backlog at day end over all levels; warm-up shaded.",
    "utilisation": "Staff utilisation (dispute work only) by level and by county centre.",
    "flow": "Flow through the hierarchy: channel → level at close → outcome.",
    "counties": "County small multiples: one-door, one-trip and grassroots rates.",
}


def _ci(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return ""
    return f" <span class=muted>[{number(low)}, {number(high)}]</span>"


def _mark(meets: Any) -> str:
    if meets is pd.NA or meets is None or (isinstance(meets, float) and math.isnan(meets)):
        return ""
    return " <span class=ok>✓</span>" if bool(meets) else " <span class=no>✗</span>"


def _table(frame: pd.DataFrame, index_label: str | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    if index_label is not None:
        head = f"<th class=k>{html.escape(index_label)}</th>" + head
    body = []
    for idx, row in frame.iterrows():
        cells = "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row)
        if index_label is not None:
            cells = f"<td class=k>{html.escape(str(idx))}</td>" + cells
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return number(value)
    return "" if value is None else str(value)


def _kpi_html(comparison: pd.DataFrame, runs: Sequence[RunTables], colors: dict) -> str:
    names = [r.name for r in runs]
    head = ["<th class=k>KPI</th>", "<th>target</th>"]
    for name in names:
        swatch = f"<span class=swatch style='background:{colors[name]}'></span>"
        head.append(f"<th>{swatch}{html.escape(name)}<br>mean [95% CI]</th>")
    for name in names[1:]:
        head.append(f"<th>{html.escape(name)} − base<br>paired diff [95% CI]</th>")
    by = comparison.set_index(["kpi", "scenario"])
    rows = []
    for kpi in dict.fromkeys(comparison["kpi"]):
        base_row = by.loc[(kpi, names[0])]
        sense = "≤ " if kpi in kpi_functions.LOWER_IS_BETTER else "≥ "
        target = "" if math.isnan(base_row["target"]) else sense + number(base_row["target"])
        cells = [f"<td class=k>{html.escape(kpi)}</td>", f"<td>{target}</td>"]
        for name in names:
            r = by.loc[(kpi, name)]
            cells.append(
                f"<td>{number(r['mean'])}{_ci(r['ci_low'], r['ci_high'])}{_mark(r['meets'])}</td>"
            )
        for name in names[1:]:
            r = by.loc[(kpi, name)]
            sig = r["significant"]
            cls = " class=sig" if sig is not pd.NA and bool(sig) else ""
            sign = "+" if r["diff"] > 0 else ""
            text = "–" if math.isnan(r["diff"]) else sign + number(r["diff"])
            cells.append(f"<td{cls}>{text}{_ci(r['diff_ci_low'], r['diff_ci_high'])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{''.join(head)}</tr>{''.join(rows)}</table>"


def _png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figure_png(fig, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def render_html(
    runs: Sequence[RunTables],
    figures_png: dict[str, bytes] | None = None,
    title: str | None = None,
    generated: dt.datetime | None = None,
) -> str:
    """The report as one HTML string (figures given as PNG bytes, embedded as data URIs)."""
    from .. import __version__

    names = [r.name for r in runs]
    colors = plots.scenario_colors(names)
    comparison = kpi_comparison(runs)
    generated = generated or dt.datetime.now(dt.UTC)
    title = title or (
        f"govsim report: {names[0]}" + (f" vs {', '.join(names[1:])}" if len(names) > 1 else "")
    )
    targeted = comparison[comparison["target"].notna()]
    verdicts = []
    for name in names:
        t = targeted[targeted["scenario"] == name]
        met = int(t["meets"].fillna(False).sum())
        verdicts.append(
            f"<li><b style='color:{colors[name]}'>{html.escape(name)}</b>: "
            f"{met} of {len(t)} targets met</li>"
        )
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class=muted>generated by govsim {html.escape(__version__)} on "
        f"{generated.strftime('%Y-%m-%d %H:%M UTC')}; base scenario: "
        f"<b>{html.escape(names[0])}</b></p>",
        f"<ul>{''.join(verdicts)}</ul>",
        "<h2>KPIs</h2>",
        "<p>Mean over replications with its 95% Student-t interval; ✓/✗: the mean meets or "
        "misses the target. Differences are paired by replication index (common random "
        "numbers when the seeds agree); highlighted cells: the 95% interval of the difference "
        "excludes zero.</p>",
        _kpi_html(comparison, runs, colors),
    ]
    if len(runs) > 1:
        diffs = scenario_differences(runs)
        parts.append("<h2>What differs from the base</h2>")
        if diffs.empty:
            parts.append("<p>No resolved scenario key differs (only name and description).</p>")
        else:
            parts.append(_table(diffs, "key"))
        seeds = {r.seed for r in runs}
        if len(seeds) > 1:
            parts.append(
                "<p class=no>The seeds differ: replications are not common random numbers, "
                "so paired differences are no sharper than independent ones.</p>"
            )
    parts += ["<h2>Runs</h2>", _table(run_metadata(runs).set_index("scenario"), "scenario")]
    if figures_png:
        parts.append("<h2>Figures</h2>")
        for name, png in figures_png.items():
            caption = html.escape(FIGURE_CAPTIONS.get(name, name))
            parts.append(
                f"<figure><img alt='{html.escape(name)}' src='{_png_data_uri(png)}'>"
                f"<figcaption>{caption}</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    runs: Sequence[RunTables | str | os.PathLike],
    out: str | os.PathLike,
    title: str | None = None,
) -> Path:
    """Write ``<out>/report.html`` and ``<out>/figures/*.png`` for runs (tables or result
    folders; the first is the base). Returns the report's path."""
    tables = [r if isinstance(r, RunTables) else load_results(r) for r in runs]
    if not tables:
        raise ValueError("no runs to report")
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        # two folders of one scenario: tell them apart by folder name
        for t in tables:
            if t.path is not None and names.count(t.name) > 1:
                t.name = f"{t.name} ({t.path.name})"
    out = Path(out)
    figures = plots.standard_figures(tables)
    png = {name: _figure_png(fig) for name, fig in figures.items()}
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for name, data in png.items():
        (out / "figures" / f"{name}.png").write_bytes(data)
    path = out / "report.html"
    path.write_text(render_html(tables, png, title), encoding="utf-8")
    return path
