"""Results are never silently replaced: output folders, their identity and default names
(docs/reliability.md, section 3b)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from builders import TWO_GRIDS
from procs import digests

import simulation
from simulation import store
from simulation.cli import main
from simulation.errors import OutputError
from simulation.experiments.folders import (
    MAX_NAME_BYTES,
    check_replaceable,
    default_folder_name,
    scenario_fingerprint,
)
from simulation.scenario.loader import load_scenario

TINY = TWO_GRIDS


@pytest.fixture
def tiny_file(tmp_path, monkeypatch):
    """The tiny scenario as a file, run from ``tmp_path`` (so ``results/`` lands there)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


def _hidden(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ---------------------------------------------------------------- default names after --set


def test_set_names_the_default_folder_after_the_changes(tiny_file, tmp_path, capsys):
    assert main(["run", str(tiny_file)]) == 0
    baseline = tmp_path / "results" / "tiny"
    before = digests(baseline)
    capsys.readouterr()
    assert main(["run", str(tiny_file), "--set", "offices.county.one_stop=false"]) == 0
    out = capsys.readouterr().out
    variant = tmp_path / "results" / "tiny+one_stop=false"
    assert f"outputs: {os.path.join('results', 'tiny+one_stop=false')}/" in out
    assert "named after the --set changes" in out
    assert (variant / "kpis.csv").exists()
    assert digests(baseline) == before  # the baseline's results are untouched
    stored = yaml.safe_load((variant / "scenario.yaml").read_text(encoding="utf-8"))
    assert stored["offices"]["county"]["one_stop"] is False


def test_keys_are_shortened_only_as_far_as_they_stay_unambiguous():
    scenario = load_scenario(TINY)
    name = default_folder_name(
        scenario, ["offices.town.staff=5", "offices.county.one_stop=false", "seed=3"]
    )
    assert name == "tiny+town.staff=5+one_stop=false+seed=3"


def test_default_names_are_filesystem_safe_and_bounded():
    scenario = load_scenario({**TINY, "name": "../嘉兴 city"})
    name = default_folder_name(scenario, ["calendar.weekdays=[mon, tue]", "name=a/b"])
    assert "/" not in name and " " not in name and not name.startswith(".")
    assert name.startswith("_._嘉兴_city+")
    many = [f"offices.overrides.county-1.staff={n}" for n in range(40)]
    long_a = default_folder_name(scenario, many)
    long_b = default_folder_name(scenario, many[:-1] + ["offices.overrides.county-1.staff=99"])
    assert len(long_a.encode()) <= MAX_NAME_BYTES and len(long_b.encode()) <= MAX_NAME_BYTES
    assert long_a != long_b  # cut names keep a hash of the whole


# ---------------------------------------------------------------- another scenario's folder


def test_run_refuses_a_folder_of_another_scenario_naming_both(tiny_file, tmp_path, capsys):
    out = tmp_path / "results" / "tiny"
    assert main(["run", str(tiny_file), "-o", str(out)]) == 0
    before = digests(out)
    capsys.readouterr()
    code = main(["run", str(tiny_file), "--set", "offices.town.staff=9", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    old = scenario_fingerprint(load_scenario(TINY))
    new = scenario_fingerprint(load_scenario(TINY, ["offices.town.staff=9"]))
    assert f"scenario 'tiny' (fingerprint {old})" in err and f"(fingerprint {new})" in err
    assert "offices.town.staff" in err and "--force" in err and "Traceback" not in err
    assert digests(out) == before
    assert _hidden(out.parent) == []
    # with --force it is replaced
    assert (
        main(["run", str(tiny_file), "--set", "offices.town.staff=9", "-o", str(out), "--force"])
        == 0
    )
    assert "staff: 9" in (out / "scenario.yaml").read_text(encoding="utf-8")


def test_rerunning_the_same_scenario_replaces_its_folder(tiny_file, tmp_path):
    out = tmp_path / "results" / "tiny"
    assert main(["run", str(tiny_file)]) == 0
    assert main(["run", str(tiny_file), "-r", "2", "--seed", "11"]) == 0  # same scenario
    kpis = (out / "kpis.csv").read_text(encoding="utf-8")
    assert ",2," in kpis  # two replications now
    assert "seed: 11" in (out / "scenario.yaml").read_text(encoding="utf-8")
    assert _hidden(out.parent) == []


def test_a_scenario_renamed_is_another_scenario(tiny_file, tmp_path, capsys):
    out = tmp_path / "results" / "tiny"
    assert main(["run", str(tiny_file)]) == 0
    code = main(["run", str(tiny_file), "--set", "name=other", "-o", str(out)])
    assert code == 2 and "'other'" in capsys.readouterr().err


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_that_is_not_govsim_s_is_never_replaced(tiny_file, tmp_path, capsys, force):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("months of work", encoding="utf-8")
    code = main(["run", str(tiny_file), "-o", str(mine), *(["--force"] if force else [])])
    assert code == 2
    assert "not a govsim result folder" in capsys.readouterr().err
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]


def test_python_save_refuses_another_scenario_unless_forced(tmp_path):
    out = tmp_path / "out"
    simulation.run(TINY).save(out)
    other = simulation.run({**TINY, "horizon_days": 10})
    with pytest.raises(OutputError, match="horizon_days"):
        other.save(out)
    assert "horizon_days: 20" in (out / "scenario.yaml").read_text(encoding="utf-8")
    other.save(out, force=True)
    assert "horizon_days: 10" in (out / "scenario.yaml").read_text(encoding="utf-8")


def test_an_empty_folder_or_an_unreadable_scenario_file(tmp_path):
    scenario = load_scenario(TINY)
    (tmp_path / "empty").mkdir()
    check_replaceable(tmp_path / "empty", scenario)  # an empty folder is free
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "scenario.yaml").write_text("{not: [yaml", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot be read"):
        check_replaceable(broken, scenario)
    check_replaceable(broken, scenario, force=True)


def test_compare_refuses_a_folder_of_another_comparison(tiny_file, tmp_path, capsys):
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump({**TINY, "name": "other"}), encoding="utf-8")
    third = tmp_path / "third.yaml"
    third.write_text(yaml.safe_dump({**TINY, "name": "third"}), encoding="utf-8")
    out = tmp_path / "cmp"
    assert main(["compare", str(tiny_file), str(other), "-o", str(out)]) == 0
    before = digests(out)
    capsys.readouterr()
    assert main(["compare", str(tiny_file), str(third), "-o", str(out)]) == 2
    assert "holds a comparison of other, tiny" in capsys.readouterr().err
    assert digests(out) == before
    assert main(["compare", str(tiny_file), str(other), "-o", str(out)]) == 0  # the same one


def test_sweep_refuses_a_folder_of_another_base(tiny_file, tmp_path, capsys):
    out = tmp_path / "sw"
    vary = ["--vary", "offices.town.staff=1,2"]
    assert main(["sweep", str(tiny_file), *vary, "-o", str(out)]) == 0
    capsys.readouterr()
    code = main(["sweep", str(tiny_file), *vary, "--set", "horizon_days=10", "-o", str(out)])
    assert code == 2 and "horizon_days" in capsys.readouterr().err
    assert main(["sweep", str(tiny_file), "--vary", "offices.town.staff=3", "-o", str(out)]) == 0


def test_warmup_folder_says_whose_it_is(tiny_file, tmp_path):
    assert main(["warmup", str(tiny_file), "-r", "2", "--days", "30"]) == 0
    folder = tmp_path / "results" / "warmup-tiny"
    assert (folder / "scenario.yaml").exists() and (folder / "warmup.csv").exists()


# ---------------------------------------------------------------- what killed writers leave


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_killed_writers_are_cleaned_and_a_moved_aside_folder_restored(tmp_path):
    target = tmp_path / "out"
    dead = _dead_pid()
    stale = tmp_path / f".out.staging-{dead}-abc123"
    stale.mkdir()
    (stale / "kpis.csv").write_text("half", encoding="utf-8")
    aside = tmp_path / f".out.old-{dead}-xyz789"
    (aside / "out").mkdir(parents=True)
    (aside / "out" / "kpis.csv").write_text("old", encoding="utf-8")
    live = tmp_path / f".out.staging-{os.getpid()}-live00"  # a writer still at work
    live.mkdir()
    other = tmp_path / f".outer.staging-{dead}-abc123"  # another target's
    other.mkdir()
    store._clean_stale(target)
    assert (target / "kpis.csv").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", live.name, other.name])
