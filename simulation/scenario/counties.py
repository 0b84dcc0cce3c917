"""The city section of a scenario: counties listed (optionally with real divisions) or generated.

A listed city may name its counties in Chinese (``平湖`` becomes ``Pinghu``) and, with
``divisions: jiaxing``, must list real counties with their real number of towns. The city's
size is checked here, before anything is built: more than ``names.MAX_OFFICES`` offices or
``names.MAX_RESIDENTS`` residents is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from . import names
from .divisions import DIVISION_SETS, Divisions, load_divisions
from .spec import Count, Spec, invalid

__all__ = ["CitySpec", "CountySpec", "GenerateSpec", "divisions_of", "english_counties"]


def english_counties(items: list, key: str, table: Divisions) -> list:
    """``items`` (raw mappings) with the county each names at ``key`` in English: ``平湖`` →
    ``Pinghu``. Anything else is kept as it is, for validation to report."""
    renamed = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get(key), str):
            known = table.county(item[key])
            if known is not None:
                item = {**item, key: known.name_en}
        renamed.append(item)
    return renamed


def divisions_of(city: Any) -> Divisions | None:
    """The division table a raw or validated ``city`` section names, if any and known."""
    key = city.get("divisions") if isinstance(city, Mapping) else None
    return load_divisions(key) if key in DIVISION_SETS else None


class CountySpec(Spec):
    name: str = Field(min_length=1)
    population: int = Field(ge=0)
    towns: Count
    villages_per_town: Count | None = None
    grids_per_village: Count | None = None

    @field_validator("name")
    @classmethod
    def _no_slash(cls, name: str) -> str:
        if "/" in name:
            raise invalid("a county name without '/'", repr(name))
        return name


class GenerateSpec(Spec):
    """An equal-split synthetic city (names like ``county-1/town-1-2/...``)."""

    counties: Count = 2
    towns_per_county: Count = 3
    villages_per_town: Count = 4
    grids_per_village: Count = 5
    population: int = Field(default=200_000, ge=0)


class CitySpec(Spec):
    name: str = Field(default="Jiaxing", min_length=1)
    divisions: Literal["jiaxing"] | None = None
    """A shipped table of real towns and codes for the listed counties (``divisions.py``)."""
    counties: list[CountySpec] | None = None
    villages_per_town: Count = 15
    grids_per_village: Count = 6
    generate: GenerateSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _canonical_counties(cls, data: Any) -> Any:
        """Counties named in Chinese (``平湖``) become their English names (``Pinghu``)."""
        table = divisions_of(data)
        if table is None or not isinstance(data.get("counties"), list):
            return data
        return {**data, "counties": english_counties(data["counties"], "name", table)}

    @model_validator(mode="after")
    def _one_source(self) -> CitySpec:
        if self.counties is not None and self.generate is not None:
            raise invalid("either 'counties' or 'generate', not both", "both", "generate")
        if self.divisions is not None:
            self._check_divisions()
        if self.counties is not None:
            if not self.counties:
                raise invalid("at least one county", "none", "counties")
            listed = [c.name for c in self.counties]
            repeated = sorted({n for n in listed if listed.count(n) > 1})
            if repeated:
                raise invalid(
                    "unique county names",
                    f"{', '.join(map(repr, repeated))} more than once",
                    "counties",
                )
        self._check_size()
        return self

    def _check_size(self) -> None:
        """A city too large to build is refused here, not after minutes of building it."""
        offices, residents = names.city_size(self)
        at = "counties" if self.counties is not None else "generate"
        if offices > names.MAX_OFFICES:
            raise invalid(
                f"a city of at most {names.MAX_OFFICES:,} offices",
                f"{offices:,} offices",
                at,
                "use fewer counties, towns, villages or grids",
            )
        if residents > names.MAX_RESIDENTS:
            raise invalid(
                f"a city of at most {names.MAX_RESIDENTS:,} residents",
                f"{residents:,} residents",
                at if self.counties is not None else "generate.population",
                "check the population figures",
            )

    def _check_divisions(self) -> None:
        if self.counties is None:  # a generated city has no real towns to name
            return
        table = load_divisions(str(self.divisions))
        for i, county in enumerate(self.counties):
            known = table.county(county.name)
            if known is None:
                close = table.suggest(county.name)
                hint = f" (did you mean {close!r}?)" if close else ""
                raise invalid(
                    f"a county of {table.city_en}: {', '.join(table.county_names())}",
                    f"{county.name!r}{hint}",
                    f"counties.{i}.name",
                )
            if county.towns != len(known.towns):
                raise invalid(
                    f"{len(known.towns)} towns, the towns and streets of {known.name_en} in "
                    f"divisions {table.key} (or no divisions, for made-up towns)",
                    str(county.towns),
                    f"counties.{i}.towns",
                )

    @property
    def source(self) -> GenerateSpec | list[CountySpec]:
        """Listed counties when given, else the generated city (the default)."""
        if self.counties is not None:
            return self.counties
        return self.generate or GenerateSpec()
