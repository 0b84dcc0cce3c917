"""What a scenario amounts to before it runs: offices, residents, staff, expected cases."""

from __future__ import annotations

from collections.abc import Mapping

from ..contract import LEVELS
from ..i18n import text, value_label
from .demand import expected_cases
from .schema import Scenario


def scenario_summary(
    scenario: Scenario,
    residents: int,
    counties: int,
    levels: Mapping[str, tuple[int, int]],
    lang: str = "en",
) -> str:
    """A short text a planner reads to confirm the scenario is the one they meant.

    ``levels`` gives ``(offices, staff)`` per level of the built city (``City.level_counts``).
    """
    cases = expected_cases(scenario, residents)
    city = scenario.city.name
    if lang == "zh" and scenario.city.divisions:
        from .divisions import load_divisions

        city = load_divisions(scenario.city.divisions).city_zh
    per_year = cases * 365 / scenario.horizon_days
    lines = [
        text("check.valid", lang, name=scenario.name),
        text("check.city", lang, city=city, counties=counties,
             residents=f"{residents:,}"),
        text("check.levels", lang),
    ]  # fmt: skip
    for name in reversed(LEVELS):
        offices, staff = levels[name]
        lines.append(
            text("check.level_row", lang, level=value_label(name, lang), offices=f"{offices:,}",
                 staff=f"{staff:,}")
        )  # fmt: skip
    calendar = scenario.calendar
    lines += [
        text("check.case_types", lang, types=", ".join(scenario.case_types)),
        text("check.horizon", lang, horizon=scenario.horizon_days, warmup=scenario.warmup_days,
             start=scenario.start_date, replications=scenario.replications),
        text("check.holidays", lang, holidays=calendar.holidays),
    ]  # fmt: skip
    if scenario.city.divisions and scenario.city.counties is not None:
        lines.append(text("check.divisions", lang, divisions=scenario.city.divisions))
    lines.append(text("check.expected", lang, cases=f"{cases:,.0f}", per_year=f"{per_year:,.0f}"))
    return "\n".join(lines)
