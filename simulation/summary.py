"""What a scenario amounts to before it runs: offices, residents, staff, expected cases."""

from __future__ import annotations

import numpy as np

from .arrivals import day_multipliers
from .city import City
from .scenario import LEVELS, Scenario


def expected_cases(scenario: Scenario, residents: int) -> float:
    """Expected arrivals over the counted period (baseline profile plus surges)."""
    per_day = residents * scenario.arrivals.per_10k_residents_per_year / 10_000 / 365
    counted = day_multipliers(scenario)[scenario.warmup_days :]
    total = per_day * float(counted.sum())
    for surge in scenario.arrivals.surges:
        days = max(0, min(surge.days, scenario.horizon_days - surge.start_day))
        total += surge.per_day * days
    return total


def scenario_summary(scenario: Scenario, city: City) -> str:
    """A short text a planner reads to confirm the scenario is the one they meant."""
    residents = int(city.residents.sum())
    counts = city.count_by_level()
    staff = np.zeros(len(LEVELS), dtype=np.int64)
    for office in city.offices:
        staff[office.level] += office.staff
    cases = expected_cases(scenario, residents)
    per_year = cases * 365 / scenario.horizon_days
    lines = [
        f"scenario {scenario.name!r}: valid",
        f"  city {scenario.city.name}: {len(city.counties)} counties, {residents:,} residents",
        "  offices and staff by level:",
    ]
    for level in reversed(range(len(LEVELS))):
        name = LEVELS[level]
        lines.append(f"    {name:<8}{counts[name]:>7,} offices  {staff[level]:>8,} staff")
    lines += [
        f"  case types: {', '.join(scenario.case_types)}",
        f"  horizon {scenario.horizon_days} days after {scenario.warmup_days} warm-up days "
        f"from {scenario.start_date}, {scenario.replications} replications",
        f"  expected cases: {cases:,.0f} in the horizon ({per_year:,.0f} per year)",
    ]
    return "\n".join(lines)
