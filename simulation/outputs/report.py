"""The planners' report: one self-contained ``report.html`` comparing runs with a base.

It answers first: each scenario's question (its ``description``) and the targets it meets, the
differences from the base that are both significant and practically large, and ✓/✗ on the
targets for the city and every county; then the county map, the figures, the settings that
differ, the runs, and last the full KPI table (KPIs zero in every scenario folded). Text is in
the chosen language (``i18n.py``), numbers in their units (``outputs/text.py``); figures are
embedded as PNG data URIs (nothing is loaded from the network) and written beside it.

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

from .. import store
from ..analysis import kpis as kpi_functions
from ..analysis.counties import county_kpis
from ..analysis.differences import PRACTICAL_RELATIVE, PRACTICAL_SHARE
from ..analysis.grids import grid_table
from ..contract import COUNTY_KPIS, KPI_BY_NAME, is_share
from ..experiments.compare import COMPARISON_COLUMNS
from ..formats import number
from ..i18n import DEFAULT_LANGUAGE, column_label, text, unit_label
from . import figures as plots
from .report_tables import (
    kpi_comparison,
    practical_differences,
    run_metadata,
    scenario_differences,
    zero_kpis,
)
from .results_io import RunTables, load_results
from .text import format_difference, format_interval, format_value

__all__ = [
    "COMPARISON_COLUMNS",
    "PRACTICAL_RELATIVE",
    "PRACTICAL_SHARE",
    "kpi_comparison",
    "practical_differences",
    "render_html",
    "run_metadata",
    "scenario_differences",
    "write_report",
]

# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:2px solid #ddd;padding-bottom:.2em}
h3{margin:.9em 0 .2em}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px;margin:.6em 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top;
white-space:nowrap}
th{background:#f2f2f2}td.k,th.k{text-align:left}code{font-size:12px;color:#555}
.ok{color:#1a7f37;font-weight:bold}.no{color:#c62828;font-weight:bold}
.sig{background:#fff3c4;font-weight:bold}.muted{color:#777}.question{margin:.2em 0 .8em}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:13px;color:#555}.swatch{display:inline-block;width:.9em;height:.9em;
margin-right:.3em;vertical-align:-.1em}details{margin:.6em 0}
"""

FIGURE_CAPTIONS: dict[str, str] = {name: f"fig.{name}.caption" for name in plots.FIGURES}
"""Message ids of each figure's caption (``i18n.MESSAGES``)."""


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _kpi_cell(kpi: str, lang: str) -> str:
    """``只进一扇门率 <code>one_door_rate</code>`` (the code once, beside the Chinese name)."""
    known = KPI_BY_NAME.get(kpi)
    if known is None:
        return f"<td class=k><code>{_esc(kpi)}</code></td>"
    label = known.label_zh if lang == "zh" else known.label_en
    return f"<td class=k>{_esc(label)} <code>{_esc(kpi)}</code></td>"


def _ci(kpi: str, low: float, high: float) -> str:
    shown = format_interval(kpi, low, high)
    return f" <span class=muted>{shown}</span>" if shown else ""


def _diff_ci(kpi: str, low: float, high: float) -> str:
    """The interval of a difference: in percentage points for a share, like the difference."""
    if pd.isna(low) or pd.isna(high):
        return ""
    if is_share(kpi):
        return f" <span class=muted>[{100 * low:+.1f}, {100 * high:+.1f}]</span>"
    return _ci(kpi, low, high)


def _mark(meets: Any) -> str:
    if meets is pd.NA or meets is None or (isinstance(meets, float) and math.isnan(meets)):
        return ""
    return " <span class=ok>✓</span>" if bool(meets) else " <span class=no>✗</span>"


def _target(kpi: str, target: float) -> str:
    if pd.isna(target):
        return ""
    sense = "≤ " if kpi in kpi_functions.LOWER_IS_BETTER else "≥ "
    return sense + format_value(kpi, target)


def _table(frame: pd.DataFrame, index_label: str | None = None) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    if index_label is not None:
        head = f"<th class=k>{_esc(index_label)}</th>" + head
    body = []
    for idx, row in frame.iterrows():
        cells = "".join(f"<td>{_esc(_cell(v))}</td>" for v in row)
        if index_label is not None:
            cells = f"<td class=k>{_esc(idx)}</td>" + cells
        body.append(f"<tr>{cells}</tr>")
    return f"<div class=scroll><table><tr>{head}</tr>{''.join(body)}</table></div>"


def _worst_grids_html(run: RunTables, lang: str, top: int = 20) -> list[str]:
    """The base run's worst grids (grids.csv's first rows): where cases began and ended badly."""
    if run.cases is None or run.cases.empty:
        return []
    worst = grid_table(run.cases).head(top).drop(columns=["county", "town", "village"])
    worst = worst.rename(columns={c: column_label(c, lang) for c in worst.columns})
    heading = text("report.worst_grids", lang, name=run.name)
    return [
        f"<h2>{_esc(heading)}</h2>",
        _table(worst.set_index(worst.columns[0]), worst.columns[0]),
    ]


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return number(value)
    return "" if value is None else str(value)


def _swatch(name: str, colors: dict) -> str:
    return f"<span class=swatch style='background:{colors[name]}'></span>{_esc(name)}"


def _answers_html(
    runs: Sequence[RunTables], comparison: pd.DataFrame, colors: dict, lang: str
) -> list[str]:
    """Page one: each scenario's question, targets met, and the differences that matter."""
    parts = [f"<h2>{_esc(text('report.answers', lang))}</h2>"]
    targeted = comparison[comparison["target"].notna()]
    for run in runs:
        mine = targeted[targeted["scenario"] == run.name]
        met = int(mine["meets"].fillna(False).sum())
        question = str(run.scenario.get("description") or "").strip()
        verdict = text("report.targets_met", lang, met=met, total=len(mine))
        parts.append(
            f"<h3 style='color:{colors[run.name]}'>{_swatch(run.name, colors)}"
            f" <span class=muted>— {_esc(verdict)}</span></h3>"
            f"<p class=question>{_esc(question or text('report.no_description', lang))}</p>"
        )
    if len(runs) > 1:
        parts.append(f"<h3>{_esc(text('report.differences', lang))}</h3>")
        parts.append(
            "<p class=muted>"
            + _esc(text("report.threshold", lang, pp=f"{100 * PRACTICAL_SHARE:g}",
                        rel=f"{PRACTICAL_RELATIVE:.0%}"))
            + "</p>"
        )  # fmt: skip
        large = practical_differences(comparison)
        if large.empty:
            parts.append(f"<p>{_esc(text('report.no_differences', lang))}</p>")
        else:
            head = [text("table.scenario", lang), text("table.kpi", lang), text("table.unit", lang),
                    text("report.base_value", lang), text("table.mean", lang),
                    text("table.difference", lang), text("table.target", lang)]  # fmt: skip
            rows = [
                "<tr>" + "".join(f"<th class=k>{_esc(h)}</th>" for h in head[:3])
                + "".join(f"<th>{_esc(h)}</th>" for h in head[3:]) + "</tr>"
            ]  # fmt: skip
            for r in large.itertuples(index=False):
                rows.append(
                    f"<tr><td class=k>{_swatch(r.scenario, colors)}</td>{_kpi_cell(r.kpi, lang)}"
                    f"<td class=k>{_esc(unit_label(r.kpi, lang))}</td>"
                    f"<td>{format_value(r.kpi, r.base_mean)}{_mark(r.base_meets)}</td>"
                    f"<td>{format_value(r.kpi, r.mean)}{_mark(r.meets)}</td>"
                    f"<td class=sig>{_esc(format_difference(r.kpi, r.diff, lang))}"
                    f"{_diff_ci(r.kpi, r.diff_ci_low, r.diff_ci_high)}</td>"
                    f"<td>{_esc(_target(r.kpi, r.target))}</td></tr>"
                )
            parts.append(f"<div class=scroll><table>{''.join(rows)}</table></div>")
    parts += _targets_html(runs, colors, lang)
    return parts


def _targets_html(runs: Sequence[RunTables], colors: dict, lang: str) -> list[str]:
    """✓/✗ on every target a county's cases decide, for the city and each county."""
    base = runs[0]
    kpis = [k for k in base.targets if k in COUNTY_KPIS]
    if not kpis:
        return []
    places = plots.place_names(base.scenario, lang)
    head = None
    rows = []
    for run in runs:
        horizon = float(run.scenario.get("horizon_days") or 1)
        own = base.scenario.get("county_targets") or None  # by: county / counties: set
        by_county = county_kpis(
            run.cases, run.offices, run.daily, horizon, base.targets, kpis, county_targets=own
        )  # without county targets every county is held to the city's (as a reference)
        counties = list(dict.fromkeys(by_county["county"]))
        if head is None:
            head = counties
        city = kpi_functions.summarize(run.by_replication, base.targets).set_index("kpi")
        table = by_county.set_index(["county", "kpi"])
        for kpi in kpis:
            cells = [f"<td class=k>{_swatch(run.name, colors)}</td>", _kpi_cell(kpi, lang),
                     f"<td>{_esc(_target(kpi, base.targets[kpi]))}</td>"]  # fmt: skip
            row = city.loc[kpi] if kpi in city.index else None
            cells.append(
                "<td>–</td>"
                if row is None
                else f"<td>{format_value(kpi, row['mean'])}{_mark(row['meets'])}</td>"
            )
            for county in head:
                r = table.loc[(county, kpi)] if (county, kpi) in table.index else None
                cells.append(
                    "<td>–</td>"
                    if r is None
                    else f"<td>{format_value(kpi, r['mean'])}{_mark(r['meets'])}</td>"
                )
            rows.append("<tr>" + "".join(cells) + "</tr>")
    header = [text("table.scenario", lang), text("table.kpi", lang), text("table.target", lang),
              text("report.city", lang), *(places.get(c, c) for c in head or [])]  # fmt: skip
    th = "".join(
        f"<th class=k>{_esc(h)}</th>" if i < 2 else f"<th>{_esc(h)}</th>"
        for i, h in enumerate(header)
    )
    return [
        f"<h3>{_esc(text('report.targets', lang))}</h3>",
        f"<div class=scroll><table><tr>{th}</tr>{''.join(rows)}</table></div>",
    ]


def _kpi_html(comparison: pd.DataFrame, runs: Sequence[RunTables], colors: dict, lang: str) -> str:
    """Every KPI: mean [CI] ✓/✗ per scenario and paired differences; KPIs that are zero in
    every scenario are folded below the table."""
    names = [r.name for r in runs]
    folded = set(zero_kpis(comparison))
    head = [f"<th class=k>{_esc(text('table.kpi', lang))}</th>",
            f"<th class=k>{_esc(text('table.unit', lang))}</th>",
            f"<th>{_esc(text('table.target', lang))}</th>"]  # fmt: skip
    for name in names:
        head.append(f"<th>{_swatch(name, colors)}<br>{_esc(text('report.mean_ci', lang))}</th>")
    for name in names[1:]:
        head.append(f"<th>{_esc(name)} {_esc(text('report.paired_diff', lang))}</th>")
    by = comparison.set_index(["kpi", "scenario"])
    rows = []
    for kpi in dict.fromkeys(comparison["kpi"]):
        if kpi in folded:
            continue
        base_row = by.loc[(kpi, names[0])]
        cells = [_kpi_cell(kpi, lang), f"<td class=k>{_esc(unit_label(kpi, lang))}</td>",
                 f"<td>{_esc(_target(kpi, base_row['target']))}</td>"]  # fmt: skip
        for name in names:
            r = by.loc[(kpi, name)]
            cells.append(
                f"<td>{format_value(kpi, r['mean'])}{_ci(kpi, r['ci_low'], r['ci_high'])}"
                f"{_mark(r['meets'])}</td>"
            )
        for name in names[1:]:
            r = by.loc[(kpi, name)]
            sig = r["significant"]
            cls = " class=sig" if sig is not pd.NA and bool(sig) else ""
            diff = format_difference(kpi, r["diff"], lang)
            cells.append(
                f"<td{cls}>{_esc(diff)}{_ci(kpi, r['diff_ci_low'], r['diff_ci_high'])}</td>"
            )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<div class=scroll><table><tr>{''.join(head)}</tr>{''.join(rows)}</table></div>"
    if folded:
        listed = ", ".join(k for k in dict.fromkeys(comparison["kpi"]) if k in folded)
        summary = text("report.zero_rows", lang, n=len(folded), names="")
        table += (
            f"<details><summary>{_esc(summary.rstrip(': ：'))}</summary>"
            f"<p><code>{_esc(listed)}</code></p></details>"
        )
    return table


def _png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _figure_png(fig, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _figure_html(name: str, png: bytes, lang: str) -> str:
    caption = text(FIGURE_CAPTIONS[name], lang) if name in FIGURE_CAPTIONS else name
    if name == "county_map":
        caption = text("report.map_caption", lang)
    return (
        f"<figure><img alt='{_esc(name)}' src='{_png_data_uri(png)}'>"
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def render_html(
    runs: Sequence[RunTables],
    figures_png: dict[str, bytes] | None = None,
    title: str | None = None,
    generated: dt.datetime | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """The report as one HTML string (figures given as PNG bytes, embedded as data URIs).

    Answers first: each scenario's question (its ``description``) and targets met, the
    differences from the base that are both significant and practically large, ✓/✗ on the
    targets for the city and every county; then the county map, the other figures, the
    settings that differ, the runs, and last the full KPI table (KPIs zero everywhere folded).
    """
    from ..version import __version__

    names = [r.name for r in runs]
    colors = plots.scenario_colors(names)
    comparison = kpi_comparison(runs)
    generated = generated or dt.datetime.now(dt.UTC)
    title = title or text(
        "report.title", lang, names=names[0] + (text("report.vs", lang) + ", ".join(names[1:])
                                                if len(names) > 1 else "")
    )  # fmt: skip
    html_lang = "zh-CN" if lang == "zh" else "en"
    parts = [
        f"<!DOCTYPE html><html lang={html_lang}><head><meta charset=utf-8>",
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        "<p class=muted>"
        + _esc(text("report.generated", lang, version=__version__,
                    date=generated.strftime("%Y-%m-%d %H:%M UTC"), base=names[0]))
        + "</p>",
    ]  # fmt: skip
    parts += _answers_html(runs, comparison, colors, lang)
    figures_png = dict(figures_png or {})
    if "county_map" in figures_png:
        parts.append(f"<h2>{_esc(text('report.map', lang))}</h2>")
        parts.append(_figure_html("county_map", figures_png.pop("county_map"), lang))
    if figures_png:
        parts.append(f"<h2>{_esc(text('report.figures', lang))}</h2>")
        parts += [_figure_html(name, png, lang) for name, png in figures_png.items()]
    if len(runs) > 1:
        diffs = scenario_differences(runs)
        parts.append(f"<h2>{_esc(text('report.what_differs', lang))}</h2>")
        if diffs.empty:
            parts.append(f"<p>{_esc(text('report.same_settings', lang))}</p>")
        else:
            parts.append(_table(diffs, text("report.key", lang)))
        if len({r.seed for r in runs}) > 1:
            parts.append(f"<p class=no>{_esc(text('report.seeds_differ', lang))}</p>")
    parts += _worst_grids_html(runs[0], lang)
    meta = run_metadata(runs, lang)
    parts += [f"<h2>{_esc(text('report.runs', lang))}</h2>",
              _table(meta.set_index(meta.columns[0]), meta.columns[0])]  # fmt: skip
    parts += [
        f"<h2>{_esc(text('report.all_kpis', lang))}</h2>",
        f"<p>{_esc(text('report.all_kpis_note', lang))}</p>",
        _kpi_html(comparison, runs, colors, lang),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(
    runs: Sequence[RunTables | str | os.PathLike],
    out: str | os.PathLike,
    title: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
    map_kpi: str | None = None,
) -> Path:
    """Write ``<out>/report.html`` and ``<out>/figures/*.png`` for runs (tables or result
    folders; the first is the base) in ``lang``. Returns the report's path."""
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
    figures = plots.standard_figures(tables, lang=lang, map_kpi=map_kpi)
    png = {name: _figure_png(fig) for name, fig in figures.items()}
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for name, data in png.items():
        (out / "figures" / f"{name}.png").write_bytes(data)
    path = out / "report.html"
    store.write_text(path, render_html(tables, png, title, lang=lang))
    return path
