"""What a scenario amounts to before it runs: offices, residents, staff, expected cases."""

from __future__ import annotations

from collections.abc import Mapping

from ..contract import LEVELS
from .demand import expected_cases
from .schema import Scenario


def scenario_summary(
    scenario: Scenario, residents: int, counties: int, levels: Mapping[str, tuple[int, int]]
) -> str:
    """A short text a planner reads to confirm the scenario is the one they meant.

    ``levels`` gives ``(offices, staff)`` per level of the built city (``City.level_counts``).
    """
    cases = expected_cases(scenario, residents)
    per_year = cases * 365 / scenario.horizon_days
    lines = [
        f"scenario {scenario.name!r}: valid",
        f"  city {scenario.city.name}: {counties} counties, {residents:,} residents",
        "  offices and staff by level:",
    ]
    for name in reversed(LEVELS):
        offices, staff = levels[name]
        lines.append(f"    {name:<8}{offices:>7,} offices  {staff:>8,} staff")
    lines += [
        f"  case types: {', '.join(scenario.case_types)}",
        f"  horizon {scenario.horizon_days} days after {scenario.warmup_days} warm-up days "
        f"from {scenario.start_date}, {scenario.replications} replications",
        f"  expected cases: {cases:,.0f} in the horizon ({per_year:,.0f} per year)",
    ]
    return "\n".join(lines)
