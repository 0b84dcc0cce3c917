"""The message catalogue: every KPI, figure title and message has English and Chinese text;
``--lang``, ``GOVSIM_LANG`` and ``language:`` choose; numbers carry their units."""

from __future__ import annotations

import re
import string

import pandas as pd
import pytest

from simulation import formats, i18n
from simulation.cli import main
from simulation.contract import CHANNELS, KINDS, KPIS, LEVELS, OUTCOMES, SEVERITIES
from simulation.errors import ScenarioError
from simulation.outputs import text as units
from simulation.outputs.figures import FIGURES
from simulation.outputs.text import format_kpis

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_every_message_has_both_languages_with_the_same_fields(key):
    entry = i18n.MESSAGES[key]
    assert set(entry) == set(i18n.LANGUAGES), key
    assert entry["en"].strip() and entry["zh"].strip(), key
    assert _fields(entry["en"]) == _fields(entry["zh"]), key


@pytest.mark.parametrize("kpi", KPIS, ids=lambda k: k.name)
def test_every_kpi_has_a_chinese_label_shown_with_its_code(kpi):
    assert CJK.search(kpi.label_zh), kpi.name
    assert i18n.kpi_label(kpi.name, "zh") == f"{kpi.label_zh} {kpi.name}"
    assert i18n.kpi_label(kpi.name, "en") == kpi.name
    assert i18n.unit_label(kpi.name, "en") and i18n.unit_label(kpi.name, "zh")


@pytest.mark.parametrize("figure", FIGURES)
def test_every_figure_has_a_title_and_caption_in_both_languages(figure):
    for part in ("title", "caption"):
        entry = i18n.MESSAGES[f"fig.{figure}.{part}"]
        assert CJK.search(entry["zh"]), (figure, part)


@pytest.mark.parametrize("value", [*LEVELS, *SEVERITIES, *OUTCOMES, *KINDS, *CHANNELS])
def test_every_category_shown_in_tables_has_a_chinese_name(value):
    assert CJK.search(i18n.value_label(value, "zh")), value


def test_every_output_column_has_a_chinese_header():
    from simulation.contract import CASE_COLUMNS, OFFICE_COLUMNS, SUMMARY_COLUMNS

    for column in (*CASE_COLUMNS, *OFFICE_COLUMNS, *SUMMARY_COLUMNS):
        assert CJK.search(i18n.column_label(column, "zh")), column


def test_the_language_is_chosen_by_flag_then_environment_then_scenario(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert i18n.choose_language() == "en"
    assert i18n.choose_language(scenario="zh") == "zh"
    monkeypatch.setenv(i18n.ENV_VAR, "zh")
    assert i18n.choose_language(scenario="en") == "zh"
    assert i18n.choose_language(cli="en", scenario="zh") == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "fr")
    with pytest.raises(ValueError, match="en, zh"):
        i18n.choose_language()


# ---------------------------------------------------------------- units


def test_shares_are_percentages_counts_have_separators_and_times_three_figures():
    assert units.format_value("one_door_rate", 0.9051) == "90.5%"
    assert units.format_value("cases", 38612.0) == "38,612"
    assert units.format_value("wait_hours_town", 3.14159) == "3.14"
    assert units.format_value("mean_days_to_close", 12.345) == "12.3"
    assert units.format_difference("one_door_rate", 0.0081) == "+0.8 pp"
    assert units.format_difference("one_door_rate", -0.0081, "zh") == "−0.8 个百分点"
    assert units.format_difference("utilization_grid", -0.0003) == "−0.03 pp"  # never "−0.0"
    assert units.unit_label("wait_hours_town", "zh") == "小时"
    assert units.unit_label("mean_days_to_close", "en") == "days"


def test_text_tables_align_chinese_labels_by_display_width():
    table = formats.text_table([["指标", "1"], ["ab", "10"]])
    first, second = table.splitlines()
    assert formats.display_width(first) == formats.display_width(second)


def _kpis() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": ["one_door_rate", "cases", "wait_hours_town"],
            "mean": [0.9051, 38612.0, 3.1],
            "ci_low": [0.90, 38500.0, 3.0],
            "ci_high": [0.91, 38700.0, 3.2],
            "replications": [10, 10, 10],
            "target": [0.95, float("nan"), float("nan")],
            "meets": pd.array([False, pd.NA, pd.NA], dtype="boolean"),
        }
    )


def test_the_kpi_table_in_chinese_names_kpis_with_their_codes_and_units():
    out = format_kpis(_kpis(), "zh")
    assert "只进一扇门率 one_door_rate" in out
    assert "90.5%" in out and "[90.0%, 91.0%]" in out and "38,612" in out
    assert "小时" in out and "✗" in out and "0.905" not in out


def test_the_kpi_table_in_english_keeps_the_codes():
    out = format_kpis(_kpis(), "en")
    assert "one_door_rate" in out and "90.5%" in out and "hours" in out


# ---------------------------------------------------------------- the CLI


def test_govsim_check_speaks_chinese(capsys, monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert main(["check", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "校验通过" in out and "镇街道" in out and "法定节假日" in out


def test_govsim_lang_environment_variable_is_read(capsys, monkeypatch):
    monkeypatch.setenv(i18n.ENV_VAR, "zh")
    assert main(["check"]) == 0
    assert "校验通过" in capsys.readouterr().out


def test_a_scenario_error_in_chinese_keeps_the_key_and_translates_the_frame(capsys, monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert main(["check", "--lang", "zh", "--set", "offices.county.staff=0"]) == 2
    err = capsys.readouterr().err
    assert "情景文件有误" in err and "offices.county.staff" in err and "应为" in err
    assert "Traceback" not in err


def test_scenario_error_renders_in_both_languages():
    error = ScenarioError("a.b", "a number", "'x'", file="f.yaml", line=3)
    assert error.render("en") == "f.yaml:3: a.b: expected a number, found 'x'"
    assert error.render("zh") == "f.yaml:3: a.b: 应为 a number，实际为 'x'"


def test_every_command_accepts_lang():
    from simulation.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001
    for name, sub in commands.items():
        options = {o for action in sub._actions for o in action.option_strings}  # noqa: SLF001
        assert "--lang" in options, name


def test_a_scenarios_language_key_is_used_when_no_flag_or_environment_says(capsys, monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert main(["check", "--set", "language=zh"]) == 0
    assert "校验通过" in capsys.readouterr().out
    assert main(["check", "--set", "language=zh", "--lang", "en"]) == 0
    assert "valid" in capsys.readouterr().out


def test_govsim_run_in_chinese_prints_units_and_labels(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    argv = ["run", "--lang", "zh", "-r", "2", "--out", str(tmp_path / "o")]
    for setting in ("horizon_days=10", "warmup_days=2"):
        argv += ["--set", setting]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "只进一扇门率 one_door_rate" in out and "达标指标" in out and "%" in out
    kpis = pd.read_csv(tmp_path / "o" / "kpis.csv")  # the CSV keeps plain numbers
    assert kpis.set_index("kpi").loc["one_door_rate", "mean"] <= 1
