"""Chinese figures: every title and label in Chinese, drawn with the packaged CJK font — a
glyph missing from the fonts would be a warning, and warnings are errors here."""

from __future__ import annotations

import io
import re
import warnings

import pytest

from simulation import load_scenario, run
from simulation.outputs.figures import FIGURES, standard_figures
from simulation.outputs.fonts import CJK_FAMILY, install_cjk_font
from simulation.outputs.results_io import from_results
from simulation.scenario.loader import packaged_default_path

CJK = re.compile(r"[\u4e00-\u9fff]")
SHORT = ["horizon_days=10", "warmup_days=2", "replications=2"]


@pytest.fixture(scope="module")
def tables():
    return from_results(run(load_scenario(packaged_default_path(), SHORT)))


def _texts(fig) -> list[str]:
    found = [fig.get_suptitle()]
    for ax in fig.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        found += [t.get_text() for t in ax.texts + ax.get_xticklabels()]
    for legend in fig.legends:
        found += [t.get_text() for t in legend.get_texts()]
    return [t for t in found if t]


def test_the_packaged_cjk_font_is_registered():
    from matplotlib import font_manager

    assert install_cjk_font() == CJK_FAMILY
    path = font_manager.findfont(CJK_FAMILY, fallback_to_default=False)
    assert "NotoSansCJK" in path


@pytest.mark.parametrize("name", FIGURES)
def test_a_chinese_figure_renders_every_glyph(tables, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
        fig = standard_figures([tables], lang="zh")[name]
        fig.savefig(io.BytesIO(), format="png", dpi=60)
    assert CJK.search(fig.get_suptitle()), name
    assert any(CJK.search(t) for t in _texts(fig) if t != fig.get_suptitle()), name


def test_chinese_county_names_label_the_county_panels(tables):
    fig = standard_figures([tables], lang="zh")["counties"]
    titles = {ax.get_title() for ax in fig.axes if ax.get_visible()}
    assert {"南湖区", "平湖市", "海宁市"} <= titles


def test_english_figures_stay_english(tables):
    fig = standard_figures([tables], lang="en")["outcomes"]
    assert not any(CJK.search(t) for t in _texts(fig))
