"""KPIs by county: the same per-replication KPIs as the city's, over one county's cases.

Only the KPIs a county's own cases decide are computed (``contract.COUNTY_KPIS``: rates, doors,
trips, days to close); office utilisation and backlog are not a county's cases alone. The table
has the columns of ``kpis_by_county.csv``:
``county, kpi, mean, ci_low, ci_high, replications, target, meets``. Intervals come from
``intervals.kpi_interval`` (never outside [0, 1] for a share).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from ..contract import COUNTY_KPIS, COUNTY_STAFF_KPIS
from ..scenario.targets import county_target
from . import kpis as kpi_functions
from .intervals import kpi_interval, meets_with

COUNTY_TABLE_COLUMNS: tuple[str, ...] = (
    "county", "kpi", "mean", "ci_low", "ci_high", "replications", "target", "meets"
)  # fmt: skip


def county_replications(
    cases: pd.DataFrame,
    offices: pd.DataFrame,
    daily: pd.DataFrame,
    horizon_days: float,
    county: str,
    replications: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One county's per-replication KPIs: its cases through ``replication_kpis``, its own
    offices (grid to county) through ``staff_kpis``."""
    mine = cases[(cases["county"].astype(object) == county).to_numpy()]
    per_rep = kpi_functions.replication_kpis(
        mine, offices, daily, horizon_days, replications=replications
    )
    here = (offices["county"].astype(object) == county) & (offices["level"] != "city")
    kpi_functions.staff_kpis(offices[here.to_numpy()], per_rep.index, per_rep)
    return per_rep


def county_kpis(
    cases: pd.DataFrame,
    offices: pd.DataFrame,
    daily: pd.DataFrame,
    horizon_days: float,
    targets: Mapping[str, float] | None = None,
    kpis: Sequence[str] | None = None,
    counties: Sequence[str] | None = None,
    *,
    county_targets: Mapping[str, Mapping[str, float]] | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Per county and KPI: mean over replications, 95% interval, target and whether it is met.

    Each county's cases go through the same ``replication_kpis`` as the city's; only the KPIs
    of ``COUNTY_KPIS`` are kept (office and backlog KPIs are not a county's own cases), plus
    ``COUNTY_STAFF_KPIS`` (staff and staff costs of the county's own offices, grid to county).
    ``targets`` (KPI → number) applies to every county alike (the county map's reference);
    ``county_targets`` (``Scenario.county_targets``), when given, replaces it with each
    county's own target (none: NaN). ``meets`` follows ``intervals.meets_with``.
    """
    allowed = (*COUNTY_KPIS, *COUNTY_STAFF_KPIS)
    wanted = [k for k in (kpis or allowed) if k in allowed]
    targets = dict(targets or {})
    column = cases["county"].astype(object)
    if counties is None:
        if isinstance(cases["county"].dtype, pd.CategoricalDtype):
            counties = [str(c) for c in cases["county"].cat.categories]
        else:
            counties = sorted(str(c) for c in column.dropna().unique())
    replications = sorted(int(r) for r in pd.unique(offices["replication"])) or None
    rows = []
    for county in counties:
        per_rep = county_replications(cases, offices, daily, horizon_days, county, replications)
        for kpi in wanted:
            mean, low, high, n = kpi_interval(kpi, per_rep[kpi].to_numpy(dtype=float))
            if county_targets is not None:
                own = county_target(county_targets, kpi, county)
                target = math.nan if own is None else own
            else:
                target = float(targets[kpi]) if kpi in targets else math.nan
            meets = (
                pd.NA
                if math.isnan(target) or math.isnan(mean)
                else meets_with(kpi, mean, low, high, target, strict)
            )
            rows.append((county, kpi, mean, low, high, n, target, meets))
    table = pd.DataFrame(rows, columns=list(COUNTY_TABLE_COLUMNS))
    table["meets"] = table["meets"].astype("boolean")
    return table
