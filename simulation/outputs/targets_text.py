"""The terminal's targets line: the city's targets met, the counties' targets met, each miss."""

from __future__ import annotations

import pandas as pd

from ..i18n import DEFAULT_LANGUAGE, kpi_label, text
from .text import format_value


def target_counts(kpis: pd.DataFrame, by_county: pd.DataFrame) -> tuple[int, int, int, int]:
    """``(city met, city targets, county met, county targets)``."""
    city = kpis["meets"].dropna()
    county = by_county["meets"].dropna()
    return int(city.sum()), len(city), int(county.sum()), len(county)


def misses(kpis: pd.DataFrame, by_county: pd.DataFrame) -> pd.DataFrame:
    """Every missed target: ``where`` (``city`` or the county), ``kpi, mean, target``."""
    city = kpis[kpis["meets"].fillna(True).eq(False)].assign(where="city")
    county = by_county[by_county["meets"].fillna(True).eq(False)].rename(
        columns={"county": "where"}
    )
    columns = ["where", "kpi", "mean", "target"]
    return pd.concat([city[columns], county[columns]], ignore_index=True)


def targets_met_text(results, lang: str = DEFAULT_LANGUAGE, out: str = "") -> str:
    """ "targets met: city 5 of 5; counties 33 of 35    outputs: …" and one line per miss
    (the counties' part only when the scenario sets county targets)."""
    by_county = results.kpis_by_county
    met, total, cmet, ctotal = target_counts(results.kpis, by_county)
    if ctotal:
        lines = [
            text("run.targets_met_counties", lang, met=met, total=total, cmet=cmet,
                 ctotal=ctotal, out=out)
        ]  # fmt: skip
    else:
        lines = [text("run.targets_met", lang, met=met, total=total, out=out)]
    for r in misses(results.kpis, by_county).itertuples():
        lines.append(
            text("run.target_missed", lang, where=r.where, kpi=kpi_label(r.kpi, lang),
                 mean=format_value(r.kpi, r.mean), target=format_value(r.kpi, r.target))
        )  # fmt: skip
    return "\n".join(lines)
