"""Every user mistake on every ``govsim`` command: exit 2, a message naming the thing at fault,
no traceback, and nothing written (docs/reliability.md, section 1b).

One table row per mistake; each runs ``cli.main`` in a folder prepared by ``stage`` (a good run's
outputs, damaged copies of them, a folder that is not govsim's, a plain file, scenario files
with one mistake each) and checks that the folder is exactly as it was afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from builders import TWO_GRIDS, scenario

from simulation.cli import main

TINY = TWO_GRIDS


def _write(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def stage(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mistakes")
    _write(root / "tiny.yaml", TINY)
    _write(root / "other.yaml", scenario(TINY, name="other"))
    _write(root / "rate0.yaml", scenario(TINY, arrivals={"per_10k_residents_per_year": 0}))
    _write(root / "pop0.yaml", scenario(TINY, city={"generate": {"population": 0}}))
    _write(root / "office.yaml", scenario(TINY, offices={"overrides": {"Nowhere": {"staff": 3}}}))
    _write(root / "typo.yaml", scenario(TINY, offices={"county": {"stafff": 3}}))
    assert main(["run", str(root / "tiny.yaml"), "-o", str(root / "good")]) == 0
    for name, file, text in [
        ("bad-parquet", "cases.parquet", b"PAR1 not really"),
        ("bad-kpis", "kpis.csv", b"\x00\x01 garbage"),
        ("bad-yaml", "scenario.yaml", b"{not: [yaml"),
    ]:
        shutil.copytree(root / "good", root / name)
        (root / name / file).write_bytes(text)
    (root / "mine").mkdir()
    (root / "mine" / "thesis.tex").write_text("months of work", encoding="utf-8")
    (root / "a-file").write_text("not a folder", encoding="utf-8")
    (root / "notes.md").write_text("# notes\n", encoding="utf-8")
    return root


# (id, arguments with {root}, text expected on stderr)
MISTAKES = [
    # run
    ("run/missing-file", "run {root}/nope.yaml", "nope.yaml: expected an existing scenario file"),
    (
        "run/set-bad-path",
        "run {root}/tiny.yaml --set offices.county.stafff=3",
        "stafff (from --set)",
    ),
    (
        "run/set-bad-value",
        "run {root}/tiny.yaml --set warmup_days=2021-03-01",
        "found the date 2021-03-01",
    ),
    ("run/set-no-equals", "run {root}/tiny.yaml --set horizon_days", "key.path=value"),
    ("run/typo-in-file", "run {root}/typo.yaml", "typo.yaml:"),
    ("run/unknown-office", "run {root}/office.yaml", "office.yaml:"),
    (
        "run/unknown-office-set",
        "run {root}/tiny.yaml --set offices.overrides.Nowhere.staff=2",
        "Nowhere (from --set)",
    ),
    ("run/zero-rate", "run {root}/rate0.yaml", "can produce no case"),
    ("run/no-residents", "run {root}/pop0.yaml", "city.generate.population"),
    ("run/out-is-a-file", "run {root}/tiny.yaml -o {root}/a-file", "is not a folder"),
    ("run/out-under-a-file", "run {root}/tiny.yaml -o {root}/a-file/x", "is not a folder"),
    ("run/out-not-govsim", "run {root}/tiny.yaml -o {root}/mine", "not a govsim result folder"),
    (
        "run/out-other-scenario",
        "run {root}/other.yaml -o {root}/good",
        "holds the results of scenario 'tiny'",
    ),
    ("run/zero-replications", "run {root}/tiny.yaml -r 0", "--replications must be at least 1"),
    ("run/bad-precision", "run {root}/tiny.yaml --precision -1", "--precision must be positive"),
    ("run/too-big", "run {root}/tiny.yaml --max-cases 1", "--max-cases"),
    # check
    ("check/missing-file", "check {root}/nope.yaml", "expected an existing scenario file"),
    ("check/set-bad-path", "check {root}/tiny.yaml --set arrivals.nope=1", "nope (from --set)"),
    ("check/unknown-office", "check {root}/office.yaml", "Nowhere"),
    # compare
    ("compare/missing-other", "compare {root}/tiny.yaml {root}/nope.yaml", "nope.yaml"),
    ("compare/folder-as-scenario", "compare {root}/tiny.yaml {root}/good", "found a directory"),
    (
        "compare/set-bad-path",
        "compare {root}/tiny.yaml {root}/other.yaml --set seedd=1",
        "seedd (from --set)",
    ),
    ("compare/zero-rate", "compare {root}/tiny.yaml {root}/rate0.yaml", "rate0.yaml"),
    (
        "compare/out-not-govsim",
        "compare {root}/tiny.yaml {root}/other.yaml -o {root}/mine",
        "not a govsim comparison folder",
    ),
    (
        "compare/out-is-a-file",
        "compare {root}/tiny.yaml {root}/other.yaml -o {root}/a-file",
        "is not a folder",
    ),
    # sweep
    (
        "sweep/vary-syntax",
        "sweep {root}/tiny.yaml --vary offices.town.staff",
        "--vary expects KEY=V1,V2",
    ),
    (
        "sweep/vary-bad-path",
        "sweep {root}/tiny.yaml --vary offices.town.stafff=1,2",
        "stafff (from --vary)",
    ),
    (
        "sweep/vary-bad-value",
        "sweep {root}/tiny.yaml --vary offices.town.staff=abc",
        "staff (from --vary)",
    ),
    (
        "sweep/vary-empty-range",
        "sweep {root}/tiny.yaml --vary offices.town.staff=5:1:1",
        "empty range",
    ),
    (
        "optimise/vary-syntax",
        "optimise {root}/tiny.yaml --vary offices.town.staff=3",
        "--vary expects offices.<level>.staff=LOW..HIGH",
    ),
    (
        "optimise/vary-unknown-office",
        "optimise {root}/tiny.yaml --vary offices.overrides.Nowhere.staff=1..3",
        "Nowhere",
    ),
    ("sweep/vary-twice", "sweep {root}/tiny.yaml --vary seed=1 --vary seed=2", "only once"),
    (
        "sweep/vary-no-case",
        "sweep {root}/tiny.yaml --vary arrivals.per_10k_residents_per_year=0,10",
        "per_10k_residents_per_year (from --vary)",
    ),
    (
        "sweep/set-bad-path",
        "sweep {root}/tiny.yaml --vary seed=1 --set seedd=1",
        "seedd (from --set)",
    ),
    (
        "sweep/out-not-govsim",
        "sweep {root}/tiny.yaml --vary seed=1,2 -o {root}/mine",
        "not a govsim sweep folder",
    ),
    (
        "sweep/out-other-base",
        "sweep {root}/other.yaml --vary seed=1 -o {root}/good",
        "holds the results of scenario 'tiny'",
    ),
    # warmup
    ("warmup/too-few-days", "warmup {root}/tiny.yaml --days 5", "--days must be at least 10"),
    ("warmup/missing-file", "warmup {root}/nope.yaml", "expected an existing scenario file"),
    ("warmup/zero-rate", "warmup {root}/rate0.yaml", "can produce no case"),
    (
        "warmup/out-not-govsim",
        "warmup {root}/tiny.yaml -o {root}/mine",
        "not a govsim warm-up folder",
    ),
    # validate
    (
        "validate/out-is-a-file",
        "validate --quick --check patience -o {root}/a-file",
        "is not a folder",
    ),
    ("validate/unknown-check", "validate --check nonsense", "invalid choice: 'nonsense'"),
    # calibrate
    (
        "calibrate/out-under-a-file",
        "calibrate --no-sensitivity -o {root}/a-file/c.md",
        "is not a folder",
    ),
    ("calibrate/out-is-a-folder", "calibrate --no-sensitivity -o {root}/mine", "it is a folder"),
    (
        "calibrate/missing-file",
        "calibrate {root}/nope.yaml --no-sensitivity",
        "expected an existing scenario file",
    ),
    ("calibrate/zero-rate", "calibrate {root}/rate0.yaml --no-sensitivity", "can produce no case"),
    # plot
    ("plot/missing-folder", "plot {root}/nope", "no such result folder"),
    ("plot/not-a-result", "plot {root}/mine", "missing kpis.csv, cases.parquet"),
    ("plot/a-file", "plot {root}/a-file", "a file, not a result folder"),
    ("plot/bad-parquet", "plot {root}/bad-parquet", "cases.parquet: cannot be read"),
    ("plot/bad-kpis", "plot {root}/bad-kpis", "kpis.csv: cannot be read"),
    ("plot/bad-scenario", "plot {root}/bad-yaml", "scenario.yaml: cannot be read"),
    ("plot/out-is-a-file", "plot {root}/good -o {root}/a-file", "is not a folder"),
    # report
    (
        "report/missing-folder",
        "report {root}/good {root}/nope -o {root}/rep",
        "no such result folder",
    ),
    ("report/not-a-result", "report {root}/good {root}/mine -o {root}/rep", "missing kpis.csv"),
    (
        "report/bad-parquet",
        "report {root}/bad-parquet -o {root}/rep",
        "cases.parquet: cannot be read",
    ),
    ("report/out-is-a-file", "report {root}/good -o {root}/a-file", "is not a folder"),
    ("report/no-out", "report {root}/good", "the following arguments are required: --out"),
    # library-table
    ("library-table/write-missing", "library-table -r 1 --write {root}/nope.md", "no such file"),
    ("library-table/write-a-folder", "library-table -r 1 --write {root}/mine", "found a folder"),
]


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def _govsim(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse's usage errors
        return int(stop.code)


@pytest.mark.parametrize(
    ("argv", "expected"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_a_user_mistake_is_exit_2_with_a_message_and_nothing_written(
    stage, argv, expected, capsys, monkeypatch
):
    monkeypatch.chdir(stage)  # default output folders (results/...) would land here
    before = _tree(stage)
    code = _govsim(argv.format(root=stage).split())
    out, err = capsys.readouterr()
    assert code == 2, err
    assert expected in err, err
    assert "Traceback" not in err + out
    assert _tree(stage) == before, "something was written"


def test_every_command_has_mistakes_in_the_table():
    from simulation.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    covered = {m[0].split("/")[0] for m in MISTAKES}
    assert covered == set(commands)
