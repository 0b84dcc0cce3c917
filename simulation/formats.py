"""Number formats and aligned text tables: how every table a person reads shows its numbers.

A shared helper outside the layers (like ``errors.py`` and ``store.py``): the command line's
tables (``outputs/text.py``), the HTML report, the library's Markdown table and the checks'
Markdown (``checks/markdown.py``) all format numbers here, and ``outputs`` and ``checks`` may
not import each other. It imports nothing from the package.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from typing import Any

MISSING = "–"
NOISE = 1e-12
"""Differences smaller than this are float noise (a sum taken in another order): shown as 0."""


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):  # pd.NA and other non-numbers
        return True


def number(value: Any) -> str:
    """A KPI value: ``–`` when missing; thousands separated and no decimals from 1,000 or for
    whole numbers; three decimals below 10, one above; a non-zero value below 0.001 in
    scientific notation (so a small difference never shows as ``0.000``)."""
    if _missing(value):
        return MISSING
    value = float(value)
    if value != 0 and abs(value) < 0.001:
        return f"{value:.1e}"
    if abs(value) >= 1000 or value.is_integer():
        return f"{value:,.0f}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def signed(value: Any) -> str:
    """A difference: ``+``/``−`` and :func:`number` of its size; ``0`` below :data:`NOISE`."""
    if _missing(value):
        return MISSING
    value = float(value)
    if abs(value) < NOISE:
        return "0"
    return ("+" if value > 0 else "−") + number(abs(value))


def significant(value: Any, digits: int = 4) -> str:
    """A value compared with theory: ``digits`` significant digits, one decimal from 100."""
    if _missing(value):
        return MISSING
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.{digits}g}"


def percent(value: Any, digits: int = 1) -> str:
    """A share as a percentage (``0.9062`` → ``90.6%``)."""
    return MISSING if _missing(value) else f"{100 * float(value):.{digits}f}%"


def in_unit(value: Any, unit: str) -> str:
    """A value as people read it in its unit (the contract's ``KPI.unit``): a share as a
    percentage, whole cases with thousands separators, times and means to three significant
    figures (``3.14``, ``12.3``, ``1,024``). The unit itself goes beside it, not in it."""
    if _missing(value):
        return MISSING
    v = float(value)
    if unit == "share":
        return percent(v)
    if unit == "cases" and v.is_integer():
        return f"{v:,.0f}"
    if unit in ("hours", "days", "cases/day", "doors", "trips", "cases"):
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return number(v)


def signed_in_unit(value: Any, unit: str, points: str = "pp") -> str:
    """A difference in its unit: percentage points for a share (``+0.8 pp``, ``points`` names
    them), else ``+``/``−`` and :func:`in_unit`; ``0`` below :data:`NOISE`."""
    if _missing(value):
        return MISSING
    v = float(value)
    if abs(v) < NOISE:
        return "0"
    sign = "+" if v > 0 else "−"
    if unit == "share":
        pp = 100 * abs(v)
        shown = f"{pp:.1f}" if pp >= 0.05 else f"{pp:.2f}" if pp >= 0.005 else f"{pp:.1e}"
        return f"{sign}{shown} {points}"
    shown = in_unit(abs(v), unit)
    if shown.strip("0.,") == "":  # too small to show at this precision
        shown = f"{abs(v):.1e}"
    return sign + shown


def display_width(cell: str) -> int:
    """Terminal columns taken by ``cell``: East Asian wide characters (汉字) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in cell)


def _pad(cell: str, width: int, right: bool) -> str:
    space = " " * max(0, width - display_width(cell))
    return space + cell if right else cell + space


def text_table(rows: Sequence[Sequence[str]], left: int = 1, trailing: int = 0) -> str:
    """Rows of cells as aligned text, two spaces apart: the first ``left`` columns aligned
    left, the others right; the last ``trailing`` columns (marks such as ✓) follow unpadded
    and only when not empty. Chinese text lines up (a wide character counts as two)."""
    if not rows:
        return ""
    n = len(rows[0]) - trailing
    widths = [max(display_width(row[i]) for row in rows) for i in range(n)]
    lines = []
    for row in rows:
        cells = [
            _pad(c, w, right=i >= left)
            for i, (c, w) in enumerate(zip(row[:n], widths, strict=True))
        ]
        cells += [c for c in row[n:] if c]
        lines.append("  ".join(cells))
    return "\n".join(lines)
