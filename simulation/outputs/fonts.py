"""A CJK font for figures: Chinese labels render as characters, never as boxes.

The project installs its own font, ``noto-cjk-sans-otc`` (Noto Sans CJK, SIL Open Font
Licence 1.1), so a fresh machine needs no system fonts. It is registered with matplotlib once
and placed *after* DejaVu Sans in the ``font.family`` fallback list: Latin text looks as
before, and only characters DejaVu Sans lacks come from Noto. Matplotlib ≥ 3.11 reads every
face of the font collection; the Simplified Chinese face is "Noto Sans CJK SC".
"""

from __future__ import annotations

import functools

import matplotlib
from matplotlib import font_manager

CJK_FAMILY = "Noto Sans CJK SC"
FAMILIES: tuple[str, ...] = ("DejaVu Sans", CJK_FAMILY)


@functools.cache
def install_cjk_font() -> str:
    """Register the packaged CJK font and make it matplotlib's fallback; returns its family.

    Tick labels are made when a figure is drawn, not when it is built, so the fallback has to
    be in matplotlib's defaults (``rcParams``) rather than in a context around the building.
    """
    import noto_cjk_sans_otc

    font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    matplotlib.rcParams["font.family"] = list(FAMILIES)
    return CJK_FAMILY
