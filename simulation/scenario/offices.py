"""The offices section of a scenario: staff and behaviour of each level, and per-office overrides.

An override names an office as outputs do (``scenario/names.py``); ``check_override`` is the
schema's check that the office exists and has every key the override sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from . import names
from .spec import NonNegative, Probability, Spec, invalid

if TYPE_CHECKING:
    from .counties import CitySpec

__all__ = [
    "DEFAULT_COST_PER_STAFF_YEAR",
    "LEVEL_ONLY",
    "OfficeOverride",
    "OfficesSpec",
    "check_override",
]

Staff = Annotated[int, Field(ge=1)]

DEFAULT_COST_PER_STAFF_YEAR = 178_109.0
"""Yuan per staff member per year: the 2022 average annual wage of employed persons in
non-private units in public administration, social security and social organisation in
Zhejiang (浙江省 2022 年非私营单位就业人员分行业年平均工资, 公共管理、社会保障和社会组织:
178,109; on-post workers 181,337; Zhejiang Provincial Bureau of Statistics). It is the
工资总额 per person, wages only: employer social-insurance and housing-fund contributions,
offices, equipment and overheads are NOT included, so it understates the full cost of a post.
Set your own figure per level or office (``cost_per_staff_year``)."""
CostPerStaffYear = Annotated[float, Field(ge=0, allow_inf_nan=False)]


CaseTimeShare = Annotated[float, Field(gt=0, le=1)]


class LevelOffice(Spec):
    staff: Staff
    case_time_share: CaseTimeShare = 1.0
    """Share of working hours the staff can give to casework (their other duties take the rest).
    A handling of h hours then occupies a staff member for h / case_time_share working hours."""
    cost_per_staff_year: CostPerStaffYear = DEFAULT_COST_PER_STAFF_YEAR
    """Yuan per staff member per year (KPIs ``staff_cost``, ``staff_cost_<level>``)."""


# Each level's office has its own default staff, so that a scenario naming one key of an
# office (``county: {one_stop: false}``) keeps the default of the others.


class GridOffice(LevelOffice):
    staff: Staff = 1
    visits_per_week: NonNegative = 0.0
    """Household visits (走访) per grid worker per week: where grid-visit requests are found."""
    visit_hours: NonNegative = 0.0
    """Working hours one visit takes; visits come out of the grid worker's working week first."""


class TownOffice(LevelOffice):
    staff: Staff = 4


class CityOffice(LevelOffice):
    staff: Staff = 6


class VillageOffice(LevelOffice):
    staff: Staff = 2
    generalist: bool = True
    """全岗通: any staff member handles any case type; false splits staff by type."""


class CountyOffice(LevelOffice):
    staff: Staff = 14
    one_stop: bool = True
    """只进一扇门: every department behind one door in one place."""
    misroute: Probability = 0.3
    """Without one-stop: share of county walk-ins who first reach a wrong department."""


LEVEL_ONLY = {"generalist": "village", "one_stop": "county", "misroute": "county"}
"""Override keys that only an office of one level has."""


class OfficeOverride(Spec):
    staff: Staff | None = None
    cost_per_staff_year: CostPerStaffYear | None = None
    case_time_share: CaseTimeShare | None = None
    generalist: bool | None = None
    one_stop: bool | None = None
    misroute: Probability | None = None


class OfficesSpec(Spec):
    grid: GridOffice = GridOffice()
    village: VillageOffice = VillageOffice()
    town: TownOffice = TownOffice()
    county: CountyOffice = CountyOffice()
    city: CityOffice = CityOffice()
    overrides: dict[str, OfficeOverride] = Field(default_factory=dict)


def check_override(city: CitySpec, name: str, override: OfficeOverride) -> None:
    """The override's office exists and has every key it sets (``one_stop`` on a county …)."""
    at = ("offices", "overrides", name)
    level = names.office_level(city, name)
    if level is None:
        raise invalid(
            "the name of an office (as printed in outputs) or of a county: "
            + ", ".join(names.shown_counties(city)),
            repr(name),
            at,
            names.suggest_office(city, name),
        )
    for key in override.model_dump(exclude_none=True):
        only = LEVEL_ONLY.get(key)
        if only is not None and level.name != only:
            raise invalid(f"'{key}' only on a {only} office", f"a {level.name} office", (*at, key))
