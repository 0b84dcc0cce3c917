"""The Excel workbook: one file with KPIs and targets, KPIs by county, offices and the cases,
headers in the chosen language, shares shown as percentages, cases size-limited with a note."""

from __future__ import annotations

import openpyxl
import pytest

from simulation import load_scenario, run
from simulation.cli import main
from simulation.scenario.loader import packaged_default_path

SHORT = ["horizon_days=10", "warmup_days=2", "replications=2"]
SMALL = [*SHORT, "city.villages_per_town=2", "city.grids_per_village=1"]
"""The real towns with few synthetic villages: a small workbook, written quickly."""


@pytest.fixture(scope="module")
def results():
    # the dispute-only Jiaxing: real towns and names, a workbook of a few thousand cases
    return run(load_scenario(packaged_default_path().with_name("jiaxing-disputes.yaml"), SMALL))


@pytest.fixture(scope="module")
def english(results, tmp_path_factory):
    return openpyxl.load_workbook(results.to_excel(tmp_path_factory.mktemp("en") / "r.xlsx"))


@pytest.fixture(scope="module")
def chinese(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("zh") / "r.xlsx"
    return openpyxl.load_workbook(results.to_excel(path, lang="zh"))


def _header(sheet) -> list[str]:
    return [c.value for c in next(sheet.iter_rows(max_row=1))]


def test_the_english_workbook_has_the_stated_sheets_and_columns(results, english):
    book = english
    assert book.sheetnames == ["KPIs", "KPIs by county", "Offices", "Cases", "Notes"]
    kpis = book["KPIs"]
    assert _header(kpis) == [
        "KPI", "code", "unit", "mean", "95% CI low", "95% CI high", "target", "meets target"
    ]  # fmt: skip
    assert _header(book["KPIs by county"])[:3] == ["county", "KPI", "code"]
    assert "office code" in _header(book["Offices"])
    assert "town code" in _header(book["Cases"]) and "wait (hours)" in _header(book["Cases"])
    assert kpis.max_row == len(results.kpis) + 1
    assert book["Offices"].max_row == results.offices["office"].nunique() + 1
    assert book["Cases"].max_row == len(results.cases) + 1


def test_shares_are_numbers_shown_as_percentages(english):
    kpis = english["KPIs"]
    rows = {r[1].value: r for r in kpis.iter_rows(min_row=2)}
    door = rows["one_door_rate"]
    assert 0 <= door[3].value <= 1 and door[3].number_format == "0.0%"
    assert door[7].value in ("✓", "✗")
    assert rows["cases"][3].number_format == "#,##0"


def test_the_chinese_workbook_has_chinese_sheets_headers_and_names(chinese):
    book = chinese
    assert book.sheetnames == ["指标", "分县指标", "机构", "案件", "说明"]
    assert _header(book["指标"])[:3] == ["指标", "代码", "单位"]
    labels = [r[0].value for r in book["指标"].iter_rows(min_row=2)]
    assert "只进一扇门率" in labels
    offices = book["机构"]
    header = _header(offices)
    names = [r[header.index("机构")].value for r in offices.iter_rows(min_row=2)]
    assert "平湖市/当湖街道" in names
    codes = [r[header.index("区划代码")].value for r in offices.iter_rows(min_row=2)]
    assert "330482000000" in codes  # Pinghu, as text (a code is not a number)
    cases = book["案件"]
    level = _header(cases).index("办结层级")
    levels = {r[level].value for r in cases.iter_rows(min_row=2)} - {None}  # None: still open
    assert levels and levels <= {"网格", "村社区", "镇街道", "县级", "市级"}


def test_cases_beyond_the_limit_are_left_out_with_a_note(results, tmp_path):
    book = openpyxl.load_workbook(results.to_excel(tmp_path / "r.xlsx", max_case_rows=50))
    assert book["Cases"].max_row == 51
    notes = " ".join(str(c.value) for c in book["Notes"]["A"])
    assert "first 50 of" in notes and "cases.parquet" in notes


def test_govsim_run_xlsx_writes_the_workbook_beside_the_outputs(tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["run", "--xlsx", "--out", str(out)]
    for s in SMALL:
        argv += ["--set", s]
    assert main(argv) == 0
    assert (out / "results.xlsx").exists() and (out / "kpis.csv").exists()
    assert "results.xlsx" in capsys.readouterr().out
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging file left
