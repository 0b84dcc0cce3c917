"""Target syntax: a number, an explicit bound, and targets per county.

``targets`` keep their meaning city-wide. Each entry is one of::

    one_trip_rate: 0.90                         # the city's mean must be at least 0.90
    escalated_out_rate: {max: 0.0001}           # an explicit bound: the tolerance of a rare event
    one_trip_rate: {min: 0.90, by: county}      # the city and every county must meet it
    one_trip_rate: {min: 0.90, counties: {Pinghu: 0.85}}   # the city, and Pinghu its own figure

``min`` is allowed only where higher is better and ``max`` only where lower is better (the KPI
registry's ``better``): a bound the other way round is refused, not silently turned. The
mapping forms are read into two plain tables, ``targets`` (KPI → number, the city) and
``county_targets`` (KPI → county → number, ``"*"`` for every county), which is also how a
resolved ``scenario.yaml`` writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..contract import LOWER_IS_BETTER
from .spec import invalid

EVERY_COUNTY = "*"
_KEYS = frozenset({"min", "max", "by", "counties"})


def _number(value: Any, at: tuple[str, ...]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid("a number", repr(value), at)
    return float(value)


def split_targets(data: Any) -> Any:
    """``data`` (a scenario mapping) with mapping-valued ``targets`` read into plain
    ``targets`` and ``county_targets``; anything else is left for the schema to judge."""
    if not isinstance(data, Mapping) or not isinstance(data.get("targets"), Mapping):
        return data
    city: dict[Any, Any] = {}
    counties: dict[Any, dict[str, Any]] = {}
    if isinstance(data.get("county_targets"), Mapping):
        for k, v in data["county_targets"].items():
            if not isinstance(v, Mapping):
                raise invalid("a mapping of KPI to target", repr(v), ("county_targets", str(k)))
            counties[k] = dict(v)
    for kpi, value in data["targets"].items():
        if not isinstance(value, Mapping):
            city[kpi] = value
            continue
        at = ("targets", str(kpi))
        stray = sorted(str(k) for k in value if k not in _KEYS)
        if stray:
            raise invalid("keys min, max, by, counties", ", ".join(stray), at)
        bounds = [k for k in ("min", "max") if k in value]
        if len(bounds) != 1:
            raise invalid("exactly one of min or max", ", ".join(bounds) or "neither", at)
        bound = bounds[0]
        if isinstance(kpi, str):
            wanted = "max" if kpi in LOWER_IS_BETTER else "min"
            if bound != wanted:
                better = "lower" if wanted == "max" else "higher"
                raise invalid(
                    f"{wanted}: for {kpi} ({better} is better)", f"{bound}:", (*at, bound)
                )
        city[kpi] = _number(value[bound], (*at, bound))
        mine = counties.setdefault(kpi, {})
        by = value.get("by")
        if by is not None:
            if by != "county":
                raise invalid("by: county", f"by: {by!r}", (*at, "by"))
            mine[EVERY_COUNTY] = city[kpi]
        per = value.get("counties")
        if per is not None:
            if not isinstance(per, Mapping):
                raise invalid("a mapping county: number", repr(per), (*at, "counties"))
            for county, number in per.items():
                mine[str(county)] = _number(number, (*at, "counties", str(county)))
        if not mine:
            del counties[kpi]
    return {**data, "targets": city, "county_targets": counties}


def county_target(
    county_targets: Mapping[str, Mapping[str, float]], kpi: str, county: str
) -> float | None:
    """The target ``county`` must meet on ``kpi`` (its own, else the every-county one)."""
    mine = county_targets.get(kpi) or {}
    if county in mine:
        return float(mine[county])
    if EVERY_COUNTY in mine:
        return float(mine[EVERY_COUNTY])
    return None
