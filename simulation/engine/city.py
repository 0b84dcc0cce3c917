"""The city: a networkx tree of offices built from the scenario, plus flat arrays for the engine.

Offices are numbered so that the engine reads plain lists: ``parent[o]`` is the office above
``o`` (-1 for the city) and ``branch[g][L]`` is the office of level ``L`` on grid ``g``'s branch.
Residents are split equally down the tree (largest remainder keeps the integers exact).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np

from ..contract import LEVELS, Level
from ..scenario.divisions import load_divisions
from ..scenario.names import generated_county, label, real_county, town_label
from ..scenario.schema import CountySpec, GenerateSpec, Scenario

GRID, VILLAGE, TOWN, COUNTY, CITY = (int(level) for level in Level)


@dataclass
class Office:
    """One office of the tree: its place, its staff and its behaviour."""

    index: int
    name: str
    level: int
    parent: int
    county: str
    staff: int
    generalist: bool = True
    one_stop: bool = True
    misroute: float = 0.0
    residents: int = 0
    code: str = ""
    """12-digit statistical division code (统计用区划代码) of a real city, county or town;
    empty for synthetic offices (villages, grids, generated cities)."""
    case_time_share: float = 1.0
    """Share of working hours for casework (other duties take the rest)."""
    visits_per_week: float = 0.0
    visit_hours: float = 0.0
    cost_per_staff_year: float = 0.0
    """Yuan per staff member per year (``offices.<level>.cost_per_staff_year``)."""


@dataclass
class City:
    """The office tree as a graph (for users and plots) and as lists (for the engine)."""

    offices: list[Office]
    grids: np.ndarray
    """Office index of every grid."""
    residents: np.ndarray
    """Residents of every grid, aligned with ``grids``."""
    branch: np.ndarray
    """``branch[g, L]``: office index of level L above (or at) grid ``g`` (row per grid)."""
    counties: list[str] = field(default_factory=list)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The tree as a networkx graph, nodes named like the offices. Built on first use: the
        engine reads the flat lists, so a run never pays for it."""
        graph = nx.DiGraph()
        for o in self.offices:
            graph.add_node(o.name, level=LEVELS[o.level], county=o.county, index=o.index)
            if o.parent >= 0:
                graph.add_edge(self.offices[o.parent].name, o.name)
        return graph

    def level_counts(self) -> dict[str, tuple[int, int]]:
        """``(offices, staff)`` of every level."""
        levels = [o.level for o in self.offices]
        counts = np.bincount(levels, minlength=len(LEVELS))
        staff = np.bincount(levels, weights=[o.staff for o in self.offices], minlength=len(LEVELS))
        return {lv: (int(n), int(s)) for lv, n, s in zip(LEVELS, counts, staff, strict=True)}

    def grids_of_county(self, county: str) -> np.ndarray:
        """Positions (into ``grids``) of the grids of one county."""
        names = np.array([self.offices[g].county for g in self.grids])
        return np.flatnonzero(names == county)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def build_city(scenario: Scenario) -> City:
    """Build the tree of offices with staff and overrides applied."""
    city_spec = scenario.city
    source = city_spec.source
    if isinstance(source, GenerateSpec):
        counties = [
            CountySpec(
                name=generated_county(c),
                population=p,
                towns=source.towns_per_county,
                villages_per_town=source.villages_per_town,
                grids_per_village=source.grids_per_village,
            )
            for c, p in zip(
                range(1, source.counties + 1),
                _split(source.population, source.counties),
                strict=True,
            )
        ]
        generated = True
    else:
        counties = list(source)
        generated = False

    offices: list[Office] = []
    level_spec = scenario.offices

    defaults = [getattr(level_spec, name).model_dump() for name in LEVELS]

    def add(name: str, level: int, parent: int, county: str, residents: int, code: str = "") -> int:
        office = Office(
            index=len(offices),
            name=name,
            level=level,
            parent=parent,
            county=county,
            residents=residents,
            code=code,
            **defaults[level],
        )
        offices.append(office)
        return office.index

    total = sum(c.population for c in counties)
    table = load_divisions(city_spec.divisions) if city_spec.divisions and not generated else None
    city = add(city_spec.name, CITY, -1, "", total, table.city_code if table else "")
    grids: list[int] = []
    residents: list[int] = []
    branch: list[list[int]] = []
    for c_num, county in enumerate(counties, start=1):
        n_villages = county.villages_per_town or city_spec.villages_per_town
        n_grids = county.grids_per_village or city_spec.grids_per_village
        real = real_county(city_spec, county.name)  # the schema checked the town counts
        c_idx = add(
            county.name, COUNTY, city, county.name, county.population, real.code if real else ""
        )
        for t_num, t_pop in enumerate(_split(county.population, county.towns), start=1):
            t_name = f"{county.name}/{town_label(real, (c_num, t_num), county.towns, generated)}"
            t_code = real.towns[t_num - 1].code if real else ""
            t_idx = add(t_name, TOWN, c_idx, county.name, t_pop, t_code)
            for v_num, v_pop in enumerate(_split(t_pop, n_villages), start=1):
                v_label = label("village", (c_num, t_num, v_num), n_villages, generated)
                v_name = f"{t_name}/{v_label}"
                v_idx = add(v_name, VILLAGE, t_idx, county.name, v_pop)
                for g_num, g_pop in enumerate(_split(v_pop, n_grids), start=1):
                    g_label = label("grid", (c_num, t_num, v_num, g_num), n_grids, generated)
                    g_idx = add(f"{v_name}/{g_label}", GRID, v_idx, county.name, g_pop)
                    grids.append(g_idx)
                    residents.append(g_pop)
                    branch.append([g_idx, v_idx, t_idx, c_idx, city])

    _apply_overrides(scenario, offices)
    return City(
        offices=offices,
        grids=np.asarray(grids, dtype=np.int64),
        residents=np.asarray(residents, dtype=np.int64),
        branch=np.asarray(branch, dtype=np.int64).reshape(-1, len(LEVELS)),
        counties=[c.name for c in counties],
    )


def _apply_overrides(scenario: Scenario, offices: list[Office]) -> None:
    """Per-office changes; the schema has checked every name and key (``scenario/names.py``)."""
    by_name = {o.name: o for o in offices}
    for name, override in scenario.offices.overrides.items():
        for attr, value in override.model_dump(exclude_none=True).items():
            setattr(by_name[name], attr, value)


def specialist_groups(staff: int, shares: dict[str, float]) -> list[tuple[list[str], int]]:
    """Split a specialist village's staff by case type (documented in docs/model.md).

    Types, largest share first, go one at a time to the staff member with the least share so far;
    staff left over join the types with the highest share per specialist. Returns disjoint groups
    of types, each with its number of staff.
    """
    ordered = sorted(shares, key=lambda t: (-shares[t], t))
    if staff < len(ordered):
        members: list[list[str]] = [[] for _ in range(staff)]
        load = [0.0] * staff
        for t in ordered:
            k = min(range(staff), key=lambda i: (load[i], i))
            members[k].append(t)
            load[k] += shares[t]
        return [(m, 1) for m in members if m]
    servers = dict.fromkeys(ordered, 1)
    for _ in range(staff - len(ordered)):
        best = max(ordered, key=lambda t: (shares[t] / servers[t], -ordered.index(t)))
        servers[best] += 1
    return [([t], servers[t]) for t in ordered]
