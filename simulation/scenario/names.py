"""Office names and the city's size, read from the scenario without building the city.

One rule names every office (docs/scenario-format.md): the city's ``name``; a county's ``name``
(``county-N`` in a generated city); below it ``town-NN``, ``village-NN`` and ``grid-NN`` joined
by ``/`` (zero-padded to the width of the count) for listed counties, or ``town-1-2``,
``village-1-2-3``, … (the numbers of every level above too) for a generated city. With real
divisions (``city.divisions``) a listed county's towns carry their real names
(``Nanhu/Jianshe Street``). ``engine/city.py`` names the offices it builds with ``label`` and
``town_label``; the schema checks ``offices.overrides`` with ``office_level``, which parses a
name instead of listing the offices (a city may have up to ``MAX_OFFICES`` of them).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..contract import Level
from ..errors import did_you_mean
from .divisions import County, load_divisions

if TYPE_CHECKING:
    from .counties import CitySpec, GenerateSpec

__all__ = [
    "MAX_LISTED",
    "MAX_OFFICES",
    "MAX_RESIDENTS",
    "city_size",
    "county_names",
    "generated_county",
    "is_county",
    "label",
    "office_level",
    "office_names",
    "real_county",
    "shown_counties",
    "suggest_county",
    "suggest_office",
    "town_label",
]

MAX_OFFICES = 2_000_000
"""Offices above which a city is not built at all (Jiaxing has about 7,400)."""
MAX_RESIDENTS = 10_000_000_000
"""Residents above which a city is not built (more people than live on Earth)."""
MAX_LISTED = 100_000
"""Offices up to which a misspelt office name is compared with every name for a suggestion."""

_BELOW_COUNTY = ("town", "village", "grid")
_LEVEL_OF_DEPTH = (Level.county, Level.town, Level.village, Level.grid)


def label(kind: str, numbers: tuple[int, ...], count: int, generated: bool) -> str:
    """``town-03`` (zero-padded to the count's width) for listed counties; ``town-1-3`` (the
    numbers of every level above too) for a generated city."""
    if generated:
        return "-".join([kind, *map(str, numbers)])
    return f"{kind}-{numbers[-1]:0{len(str(count))}d}"


def town_label(real: County | None, numbers: tuple[int, ...], count: int, generated: bool) -> str:
    """Town ``numbers[-1]`` of its county: its real name when the county is real, else a label."""
    if real is not None:
        return real.towns[numbers[-1] - 1].name_en
    return label("town", numbers, count, generated)


def generated_county(number: int) -> str:
    """The name of county ``number`` (from 1) of a generated city."""
    return f"county-{number}"


def real_county(city: CitySpec, name: str) -> County | None:
    """The real county (towns and codes) of a listed city with ``divisions``, else None."""
    if city.divisions is None or city.counties is None:
        return None
    return load_divisions(city.divisions).county(name)


class _County(NamedTuple):
    number: int
    """From 1, in order."""
    name: str
    counts: tuple[int, int, int]
    """Towns, villages per town, grids per village."""
    real: County | None
    generated: bool

    def label(self, depth: int, numbers: tuple[int, ...]) -> str:
        """The label of the office of ``numbers`` (this county's first) at ``depth`` below it."""
        count = self.counts[depth]
        if depth == 0:
            return town_label(self.real, numbers, count, self.generated)
        return label(_BELOW_COUNTY[depth], numbers, count, self.generated)

    def number_of(self, depth: int, part: str, loose: bool) -> int | None:
        """The number of the office that label ``part`` at ``depth`` points at; ``loose``
        accepts any spelling the label's number or real town can be read from."""
        if depth == 0 and self.real is not None:
            towns = self.real.towns
            town = self.real.town(part.strip()) if loose else None
            exact = [i for i, t in enumerate(towns, start=1) if t.name_en == part or t is town]
            return exact[0] if exact else None
        if not part.startswith(_BELOW_COUNTY[depth] + "-"):
            return None
        return _number(part, self.counts[depth])


def _counties(city: CitySpec) -> Iterator[_County]:
    source = city.source
    if isinstance(source, list):
        for number, county in enumerate(source, start=1):
            villages = county.villages_per_town or city.villages_per_town
            grids = county.grids_per_village or city.grids_per_village
            counts = (county.towns, villages, grids)
            yield _County(number, county.name, counts, real_county(city, county.name), False)
    else:
        for number in range(1, source.counties + 1):
            yield _County(number, generated_county(number), _shape(source), None, True)


def _shape(source: GenerateSpec) -> tuple[int, int, int]:
    return source.towns_per_county, source.villages_per_town, source.grids_per_village


def _county(city: CitySpec, name: str) -> _County | None:
    """The county called ``name``, or None (a generated city's is read from the name)."""
    source = city.source
    if isinstance(source, list):
        return next((c for c in _counties(city) if c.name == name), None)
    number = _number(name, source.counties)
    if number is None or generated_county(number) != name:
        return None
    return _County(number, name, _shape(source), None, True)


def _number(text: str, count: int) -> int | None:
    """The number after the last ``-`` of ``text`` when it is 1 to ``count``, else None."""
    _, dash, digits = text.rpartition("-")
    if not dash or not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(count)):
        return None
    number = int(digits)
    return number if 1 <= number <= count else None


def city_size(city: CitySpec) -> tuple[int, int]:
    """``(offices, residents)`` of the city, by arithmetic (a generated city is not listed)."""
    source = city.source
    if isinstance(source, list):
        shapes = [(1, county.counts) for county in _counties(city)]
        residents = sum(county.population for county in source)
    else:
        shapes = [(source.counties, _shape(source))]
        residents = source.population
    offices = 1 + sum(n * (1 + t + t * v + t * v * g) for n, (t, v, g) in shapes)
    return offices, residents


def county_names(city: CitySpec) -> list[str]:
    """The county names, shortened with ``...`` for a generated city of more than 50."""
    source = city.source
    if not isinstance(source, list) and source.counties > 50:
        return [generated_county(1), generated_county(2), "...", generated_county(source.counties)]
    return [county.name for county in _counties(city)]


def shown_counties(city: CitySpec, most: int = 12) -> list[str]:
    """Up to ``most`` county names, the last one ``...`` when there are more."""
    first = [county.name for county in itertools.islice(_counties(city), most + 1)]
    return first if len(first) <= most else [*first[: most - 1], "..."]


def is_county(city: CitySpec, name: str) -> bool:
    """Whether ``name`` is one of the city's counties (a generated city is not listed)."""
    return _county(city, name) is not None


def suggest_county(city: CitySpec, name: str) -> str | None:
    """The county (English or Chinese, with divisions) closest to a misspelt one."""
    if city.divisions is not None:
        return load_divisions(city.divisions).suggest(name)
    close = difflib.get_close_matches(name, county_names(city), n=1, cutoff=0.5)
    return close[0] if close else None


def office_level(city: CitySpec, name: str) -> Level | None:
    """The level of the office called ``name``, or None when the city has no such office.

    The name is parsed (county, then each label below it), so the answer costs the same for a
    city of ten offices and one of millions.
    """
    if _resolve(city, name, loose=False) == name:
        return _LEVEL_OF_DEPTH[name.count("/")]
    return Level.city if name == city.name else None


def _resolve(city: CitySpec, name: str, loose: bool) -> str | None:
    """The name of the office below the city that ``name`` points at, each label rebuilt from
    what it says (``Nanhu/town-3`` → ``Nanhu/town-03``, loosely also ``Nanhu/jianshe`` →
    ``Nanhu/Jianshe Street``); None if it points at none."""
    parts = name.split("/")
    county = _county(city, parts[0]) if len(parts) <= 1 + len(_BELOW_COUNTY) else None
    if county is None:
        return None
    numbers, rebuilt = (county.number,), [county.name]
    for depth, part in enumerate(parts[1:]):
        number = county.number_of(depth, part, loose)
        if number is None:
            return None
        numbers = (*numbers, number)
        rebuilt.append(county.label(depth, numbers))
    return "/".join(rebuilt)


def office_names(city: CitySpec) -> Iterator[str]:
    """Every office name, the city first, then each county followed by the offices below it."""
    yield city.name
    for county in _counties(city):
        yield county.name
        yield from _below(county, county.name, (county.number,), 0)


def _below(county: _County, parent: str, numbers: tuple[int, ...], depth: int) -> Iterator[str]:
    if depth == len(_BELOW_COUNTY):
        return
    for n in range(1, county.counts[depth] + 1):
        name = f"{parent}/{county.label(depth, (*numbers, n))}"
        yield name
        yield from _below(county, name, (*numbers, n), depth + 1)


def suggest_office(city: CitySpec, name: str) -> str | None:
    """A "did you mean" for an unknown office name: the office it spells loosely
    (``Nanhu/town-3`` → ``Nanhu/town-03``); else for a bare name the closest county; else the
    closest name of a city of up to ``MAX_LISTED`` offices; for a larger city an example."""
    rebuilt = _resolve(city, name, loose=True)
    if rebuilt is not None:
        return f"did you mean {rebuilt!r}?"
    offices, _ = city_size(city)
    bare = "/" not in name
    hint = None
    if bare and (city.counties is not None or offices <= MAX_LISTED):
        hint = did_you_mean(name, (county.name for county in _counties(city)))
    if hint is None and offices <= MAX_LISTED:
        hint = did_you_mean(name, office_names(city))
    if hint is None and bare and city.divisions is not None:  # a misspelt Chinese county name
        close = load_divisions(city.divisions).suggest(name)
        hint = f"did you mean {close!r}?" if close else None
    if hint is None and offices > MAX_LISTED:
        county = next(_counties(city))
        example, numbers = county.name, (county.number,)
        for depth in range(min(name.count("/"), len(_BELOW_COUNTY))):
            numbers = (*numbers, 1)
            example += "/" + county.label(depth, numbers)
        hint = f"office names look like {example!r}"
    return hint
