"""One Excel workbook of a run: KPIs with targets, KPIs by county, offices and the cases.

``govsim run --xlsx`` and ``Results.to_excel(path)`` write it with openpyxl, beside the CSV and
Parquet files ``Results.save`` writes (the same results in another format, for people who work
in Excel). Headers and categorical values are in the chosen language; shares are stored as
numbers with a percent format (Excel shows 90.5%, a formula still sees 0.905), counts with a
thousands separator. Excel grows slow and large with rows (100,000 cases and 7,640 offices take
about 50 s and 13 MB on a 2-core machine), so at most ``MAX_CASE_ROWS`` cases are written,
first rows first, and the sheet "Notes" says so; ``cases.parquet`` keeps them all. The file is
written beside the target and moved into place, so a reader never opens half a workbook.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from ..analysis.counties import county_kpis
from ..contract import KPI_BY_NAME
from ..i18n import DEFAULT_LANGUAGE, column_label, kpi_label, text, unit_label, value_label
from ..scenario.divisions import load_divisions

MAX_CASE_ROWS = 100_000
"""Cases written to the sheet at most (Excel's own limit is 1,048,575 rows under a header)."""

PERCENT = "0.0%"
COUNT = "#,##0"
DECIMAL = "0.00"
CATEGORICAL = ("type", "severity", "channel", "outcome", "closed_level", "level")


def _kpi_sheet(kpis: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            column_label("kpi", lang): [kpi_label(k, lang, code=False) for k in kpis["kpi"]],
            column_label("code", lang): kpis["kpi"].to_numpy(),
            column_label("unit", lang): [unit_label(k, lang) for k in kpis["kpi"]],
            column_label("mean", lang): kpis["mean"].to_numpy(),
            column_label("ci_low", lang): kpis["ci_low"].to_numpy(),
            column_label("ci_high", lang): kpis["ci_high"].to_numpy(),
            column_label("target", lang): kpis["target"].to_numpy(),
            column_label("meets", lang): [_mark(m) for m in kpis["meets"]],
        }
    )


def _mark(meets: object) -> str:
    return "" if pd.isna(meets) else ("✓" if bool(meets) else "✗")


def _county_sheet(table: pd.DataFrame, lang: str, zh_names: Mapping[str, str]) -> pd.DataFrame:
    county = [zh_names.get(c, c) if lang == "zh" else c for c in table["county"]]
    return pd.DataFrame(
        {
            column_label("county", lang): county,
            column_label("kpi", lang): [kpi_label(k, lang, code=False) for k in table["kpi"]],
            column_label("code", lang): table["kpi"].to_numpy(),
            column_label("mean", lang): table["mean"].to_numpy(),
            column_label("ci_low", lang): table["ci_low"].to_numpy(),
            column_label("ci_high", lang): table["ci_high"].to_numpy(),
            column_label("target", lang): table["target"].to_numpy(),
            column_label("meets", lang): [_mark(m) for m in table["meets"]],
        }
    )


def _labelled(frame: pd.DataFrame, lang: str, zh_names: Mapping[str, str]) -> pd.DataFrame:
    """The table with headers, categories and place names in ``lang`` (each distinct value is
    translated once: a column of 100,000 cases has a few thousand distinct names)."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        if column in CATEGORICAL:
            translate = lambda v: value_label(v, lang)  # noqa: E731
        elif column in ("county", "office", "town", "village", "grid") and lang == "zh":
            translate = lambda v: _zh_office(v, zh_names)  # noqa: E731
        else:
            translate = None
        if translate is not None or isinstance(values.dtype, pd.CategoricalDtype):
            out[column_label(column, lang)] = _translated(values, translate)
        elif str(values.dtype) == "boolean":
            out[column_label(column, lang)] = values.astype(object).where(values.notna(), None)
        else:
            out[column_label(column, lang)] = values.to_numpy()
    return pd.DataFrame(out)


def _translated(values: pd.Series, translate) -> np.ndarray:
    """Values as text, ``translate`` applied once per distinct value; missing values empty."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    shown = [str(u) if translate is None else translate(u) for u in uniques]
    table = np.asarray([*shown, None], dtype=object)  # code -1 (missing) → the last entry
    return table[codes]


def office_means(offices: pd.DataFrame) -> pd.DataFrame:
    """One row per office: volumes, utilisation and waits averaged over replications (the
    longest queue is the longest seen), in the offices' order."""
    keys = [c for c in ("office", "office_code", "level", "county", "staff") if c in offices]
    grouped = offices.groupby(keys, sort=False, dropna=False)
    averaged = [
        c for c in offices.columns if c not in keys and c not in ("replication", "max_queue")
    ]
    means = grouped[averaged].mean()
    if "max_queue" in offices:
        means["max_queue"] = grouped["max_queue"].max()
    return means.reset_index()


def _zh_office(name: object, zh_names: Mapping[str, str]) -> object:
    """``Pinghu/Danghu Street/village-01`` → ``平湖市/当湖街道/village-01``."""
    if not isinstance(name, str):
        return "" if pd.isna(name) else name
    parts = name.split("/")
    for n in (2, 1):
        head = "/".join(parts[:n])
        if len(parts) >= n and head in zh_names:
            return "/".join([zh_names[head], *parts[n:]])
    return name


def write_workbook(
    results,
    path: str | os.PathLike,
    lang: str = DEFAULT_LANGUAGE,
    max_case_rows: int = MAX_CASE_ROWS,
) -> Path:
    """Write ``results`` (a ``Results``) as one ``.xlsx`` workbook at ``path``; returns it."""

    scenario = results.scenario
    divisions = scenario.city.divisions
    zh_names = load_divisions(divisions).zh_names() if divisions else {}
    counties = county_kpis(
        results.cases,
        results.offices,
        results.daily,
        scenario.horizon_days,
        scenario.targets,
    )
    cases = results.cases
    shown = min(len(cases), max_case_rows)
    notes = [
        text("xlsx.scenario", lang, name=scenario.name),
        scenario.description,
        text("xlsx.cases_all", lang, n=f"{len(cases):,}")
        if shown == len(cases)
        else text("xlsx.cases_sample", lang, shown=f"{shown:,}", n=f"{len(cases):,}"),
        text("xlsx.shares", lang),
    ]
    if divisions:
        notes.append(text("xlsx.villages", lang))
    sheets = {
        text("xlsx.kpis", lang): (_kpi_sheet(results.kpis, lang), list(results.kpis["kpi"])),
        text("xlsx.counties", lang): (
            _county_sheet(counties, lang, zh_names),
            list(counties["kpi"]),
        ),
        text("xlsx.offices", lang): (
            _labelled(office_means(results.offices), lang, zh_names),
            None,
        ),
        text("xlsx.cases", lang): (_labelled(cases.head(shown), lang, zh_names), None),
        text("xlsx.notes", lang): (pd.DataFrame({text("xlsx.notes", lang): notes}), None),
    }
    target = Path(path)
    with store.staged_file(target, suffix=".xlsx") as staging:
        _write(staging, sheets, lang)
    return target


def _formats(frame: pd.DataFrame, kpis: list[str] | None, lang: str) -> list[list[str | None]]:
    """The number format of every cell, by row: per KPI on the KPI sheets (percent for a
    share, separators for counts), per column on the others."""
    columns = list(frame.columns)
    if kpis is not None:
        values = {column_label(c, lang) for c in ("mean", "ci_low", "ci_high", "target")}
        rows = []
        for kpi in kpis:
            entry = KPI_BY_NAME.get(kpi)
            fmt = None
            if entry is not None:
                fmt = PERCENT if entry.is_share else COUNT if entry.unit == "cases" else DECIMAL
            rows.append([fmt if c in values else None for c in columns])
        return rows
    by_column = {column_label(c, lang): PERCENT for c in ("utilization", "utilization_paid")}
    for c in ("arrivals", "handled", "resolved", "entries"):
        by_column[column_label(c, lang)] = "#,##0.0"  # means over replications
    row = [by_column.get(c) for c in columns]
    return [row] * len(frame)


def _write(path: Path, sheets: dict, lang: str) -> None:
    """Write-only openpyxl: rows stream to the file instead of living as cell objects, about
    twice as fast for the cases sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for name, (frame, kpis) in sheets.items():
        ws = book.create_sheet(title=name)
        ws.freeze_panes = "A2"
        for i, column in enumerate(frame.columns, start=1):
            widths = [len(str(column)), *(len(str(v)) for v in frame[column].head(200))]
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(widths) + 2)
        ws.append(list(frame.columns))
        formats = _formats(frame, kpis, lang)
        columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
        for r, fmts in enumerate(formats):
            row = []
            for values, fmt in zip(columns, fmts, strict=True):
                value = _cell_value(values[r])
                if fmt is None or value is None:
                    row.append(value)
                else:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    row.append(cell)
            ws.append(row)
    book.save(path)


def _cell_value(value: object) -> object:
    """A plain Python value for openpyxl: NaN and NA as empty cells, numpy scalars unwrapped."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value
