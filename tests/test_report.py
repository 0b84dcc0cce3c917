"""Result folders read back; the HTML report (self-contained, renders in Chromium); CLI."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from simulation import load_scenario, run
from simulation.cli import main
from simulation.errors import OutputError
from simulation.outputs.figures import FIGURES
from simulation.outputs.report import kpi_comparison, render_html, scenario_differences
from simulation.outputs.results_io import RunTables, flatten, from_results, load_results
from simulation.scenario.loader import packaged_default_path

SHORT = ["horizon_days=20", "warmup_days=3", "replications=2"]


@pytest.fixture(scope="module")
def result_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    base = load_scenario(packaged_default_path(), SHORT)
    other = load_scenario(
        packaged_default_path(), [*SHORT, "offices.county.one_stop=false", "name=scattered"]
    )
    dirs = []
    for scenario in (base, other):
        dirs.append(run(scenario).save(root / scenario.name))
    return dirs


@pytest.fixture(scope="module")
def report_path(result_dirs, tmp_path_factory):
    """``govsim report BASE OTHER --out DIR`` (one render shared by the report tests)."""
    out = tmp_path_factory.mktemp("report")
    assert main(["report", *map(str, result_dirs), "--out", str(out)]) == 0
    return out / "report.html"


def test_load_results_reads_tables_and_recomputes_per_replication_kpis(result_dirs):
    loaded = load_results(result_dirs[0])
    assert loaded.name == "jiaxing-baseline"
    assert loaded.replications == [0, 1]
    assert loaded.targets["one_door_rate"] == 0.95
    saved = pd.read_csv(result_dirs[0] / "kpis.csv").set_index("kpi")["mean"]
    recomputed = loaded.by_replication.mean()
    assert recomputed["cases"] == saved["cases"]
    assert recomputed["one_trip_rate"] == pytest.approx(saved["one_trip_rate"])


def test_load_results_names_missing_files(tmp_path):
    (tmp_path / "kpis.csv").write_text("kpi,mean\n")
    with pytest.raises(OutputError, match="cases.parquet"):
        load_results(tmp_path)


def test_flatten_joins_nested_keys_and_keeps_lists_whole():
    data = {"a": {"b": 1, "c": {"d": [1, 2]}}, "e": "x", "f": {}}
    assert flatten(data) == {"a.b": 1, "a.c.d": [1, 2], "e": "x", "f": {}}


def _tables(name: str, values: list[float], seed: int = 1) -> RunTables:
    per_rep = pd.DataFrame({"one_door_rate": values}, index=pd.Index(range(len(values))))
    per_rep.index.name = "replication"
    kpis = pd.DataFrame()
    scenario = {"name": name, "seed": seed, "targets": {"one_door_rate": 0.95}}
    empty = pd.DataFrame()
    return RunTables(name, scenario, kpis, empty, empty, empty, per_rep)


def test_paired_differences_pair_by_replication_index():
    base = _tables("base", [0.90, 0.96, 0.93])
    other = _tables("other", [0.92, 0.985, 0.951])
    table = kpi_comparison([base, other]).set_index("scenario")
    assert np.isnan(table.loc["base", "diff"])
    row = table.loc["other"]
    assert row["diff"] == pytest.approx(np.mean([0.02, 0.025, 0.021]))
    assert row["diff_ci_low"] > 0 and bool(row["significant"])
    assert bool(row["meets"]) and not bool(table.loc["base", "meets"])
    assert row["mean"] == pytest.approx(np.mean([0.92, 0.985, 0.951]))


def test_paired_differences_ignore_float_noise():
    base = _tables("base", [0.9, 0.8])
    other = _tables("other", [0.9 + 1e-16, 0.8 + 1e-16])
    row = kpi_comparison([base, other]).set_index("scenario").loc["other"]
    assert row["diff"] == 0 and not bool(row["significant"])


def test_what_differs_lists_only_changed_keys(result_dirs):
    runs = [load_results(d) for d in result_dirs]
    diffs = scenario_differences(runs)
    assert list(diffs.index) == ["offices.county.one_stop"]
    assert list(diffs.loc["offices.county.one_stop"]) == ["True", "False"]


def test_report_is_self_contained(report_path):
    text = report_path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert "<link" not in text and "<script" not in text
    assert text.count("src='data:image/png;base64,") == len(FIGURES)
    assert all((report_path.parent / "figures" / f"{n}.png").exists() for n in FIGURES)


def test_report_holds_kpis_differences_targets_and_metadata(report_path):
    text = report_path.read_text(encoding="utf-8")
    for needle in (
        "one_door_rate",
        "paired diff",
        "county_map",
        "✓",
        "What differs from the base",
        "offices.county.one_stop",
        "20191230",  # seed
        "govsim 0.",  # version
        "run date",
    ):
        assert needle in text, needle


def test_report_from_memory_needs_no_files(result_dirs):
    results = run(load_scenario(packaged_default_path(), SHORT))
    html = render_html([from_results(results)])
    assert "jiaxing-baseline" in html and "What differs" not in html


def _distinct_colours(png_path) -> int:
    from PIL import Image

    with Image.open(png_path) as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


def _screenshot(report_path, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (CI installs it)")
    shot = tmp_path / "report.png"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1200,2000",
        report_path.resolve().as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    assert shot.exists()
    return shot


def test_report_renders_in_headless_chromium(report_path, tmp_path):
    shot = _screenshot(report_path, tmp_path)
    assert _distinct_colours(shot) > 200  # text, tables and figures, not a blank page


@pytest.fixture(scope="module")
def chinese_report(result_dirs, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-zh")
    assert main(["report", *map(str, result_dirs), "--out", str(out), "--lang", "zh"]) == 0
    return out / "report.html"


def test_a_chinese_report_renders_in_headless_chromium(chinese_report, tmp_path):
    text = chinese_report.read_text(encoding="utf-8")
    assert "<html lang=zh-CN>" in text
    for needle in ("结论", "与基准情景相比既显著又有实际意义的差异", "目标达成", "地图",
                   "只进一扇门率 <code>one_door_rate</code>", "平湖市"):  # fmt: skip
        assert needle in text, needle
    shot = _screenshot(chinese_report, tmp_path)
    assert _distinct_colours(shot) > 200  # not a blank page


def test_page_one_answers_first(report_path):
    text = report_path.read_text(encoding="utf-8")
    order = [text.index(h) for h in ("The answers", "Map", "Figures", "What differs", "All KPIs")]
    assert order == sorted(order)
    assert "Jiaxing (Zhejiang) as set up by the municipal decision" in text  # the question asked
    assert "0.5 percentage points" in text and "5%" in text  # the practical threshold, stated
    # one-stop off moves the one-door rate by more than half a point, significantly
    page_one = text[: text.index("<h2>Map")]
    assert "one_door_rate" in page_one and "scattered" in page_one
    assert "Targets: city and counties" in page_one and "Pinghu" in page_one


def test_kpis_zero_in_every_scenario_are_folded(report_path):
    text = report_path.read_text(encoding="utf-8")
    full = text[text.index("All KPIs") :]
    assert "<details><summary>" in full and "escalated_out_rate" in full


def test_cli_plot_writes_the_figures(result_dirs, tmp_path):
    assert main(["plot", str(result_dirs[0]), "--out", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.png")) == sorted(FIGURES)


def test_govsim_compare_writes_the_report_beside_comparison_csv(tmp_path):
    from simulation.outputs.library import scenarios_dir

    out = tmp_path / "cmp"
    argv = ["compare", str(packaged_default_path()), str(scenarios_dir() / "online-mediation.yaml")]
    argv += ["--set", "horizon_days=10", "--set", "warmup_days=2", "-r", "2", "--out", str(out)]
    assert main(argv) == 0
    assert (out / "comparison.csv").exists()
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "escalation.online_mediation" in text and "online-mediation" in text
