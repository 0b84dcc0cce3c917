"""The ``govsim`` command: parses arguments, calls the public API, prints. No model logic here."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import store
from .contract import COUNTY_KPIS
from .errors import OutputError, ReplicationError, ScenarioError
from .i18n import LANGUAGES, choose_language, text
from .scenario.limits import LimitError

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MIN_WARMUP_DAYS = 10
"""A warm-up analysis needs two 5-day batches at least (``warmup.BATCH_DAYS``)."""


def _scenario_arg(parser: argparse.ArgumentParser, optional: bool) -> None:
    parser.add_argument(
        "scenario",
        nargs="?" if optional else None,
        help="scenario YAML file"
        + (" (default: the packaged Jiaxing scenario)" if optional else ""),
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one scenario key, e.g. --set offices.county.staff=18 (repeatable)",
    )


def _check_precision_kpis(parser: argparse.ArgumentParser, kpis: list[str] | None) -> None:
    from .contract import KPI_NAMES
    from .errors import did_you_mean

    for kpi in kpis or []:
        if kpi not in KPI_NAMES:
            close = did_you_mean(kpi, KPI_NAMES)
            parser.error(
                f"--precision-kpis: unknown KPI {kpi!r}" + (f" ({close})" if close else "")
            )


def _strict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a target is met only when its whole 95%% interval meets it (default: the mean)",
    )


def _load(args: argparse.Namespace, source=None):
    """The scenario of ``args`` (or ``source``) with its ``--set`` overrides, refused before any
    replication when no case can arrive in it (``runner.check_runnable``), located in the file
    or the ``--set`` that wrote its key."""
    from .experiments.runner import check_runnable
    from .scenario.loader import load_scenario, packaged_default_path
    from .scenario.locate import locate

    if source is None:
        source = args.scenario if args.scenario else packaged_default_path()
    overrides = getattr(args, "overrides", None) or []
    scenario = load_scenario(source, overrides)
    if getattr(args, "strict", False):  # --strict (run, compare): the whole interval must meet
        scenario = scenario.replace(strict_targets=True)
    try:
        check_runnable(scenario)
    except ScenarioError as error:
        raise locate(error, source, overrides) from None
    return scenario


def _language(args: argparse.Namespace, scenario_language: str | None = None) -> str:
    """``--lang``, else ``GOVSIM_LANG``, else the scenario's ``language:``, else English."""
    return choose_language(getattr(args, "lang", None), scenario_language)


def _check_out(out: Path) -> None:
    """``out`` must be a folder or creatable as one: no file in its place or above it."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"cannot write outputs to {out}: {folder} is not a folder")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise OutputError(f"cannot write outputs to {out}: {folder} is not writable")
            return


def _force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that holds another scenario's results",
    )


def _out_folder(args: argparse.Namespace, scenario, prefix: str = "") -> Path:
    """``--out``, or ``results/<prefix><name>[+<key>=<value>...]`` named after the ``--set``
    changes, so a variant never lands in its base scenario's folder."""
    from .experiments.folders import default_folder_name

    if args.out:
        return Path(args.out)
    return Path("results") / default_folder_name(scenario, args.overrides, prefix)


def _where(out: Path, args: argparse.Namespace) -> str:
    """Where the outputs went, saying why when the folder was named after ``--set``."""
    named = not args.out and args.overrides
    return f"{out}/" + (" (named after the --set changes)" if named else "")


def _limit_kwargs(args: argparse.Namespace) -> dict:
    return {"max_cases": args.max_cases, "max_memory_gb": args.max_memory}


def cmd_run(args: argparse.Namespace) -> int:
    from .experiments.folders import check_replaceable
    from .experiments.runner import run
    from .outputs.targets_text import targets_met_text
    from .outputs.text import format_kpis

    scenario = _load(args)
    out = _out_folder(args, scenario)
    _check_out(out)  # before the run: a bad folder should not cost a whole run
    check_replaceable(out, scenario, force=args.force)
    # run() refuses a scenario above the size limits before its progress bar appears
    results = run(
        scenario,
        args.replications,
        args.seed,
        progress=True,
        precision=args.precision,
        precision_kpis=args.precision_kpis,
        max_replications=args.max_replications,
        **_limit_kwargs(args),
        **_executor_kwargs(args),
    )
    replications = results.scenario.replications
    results.save(out, force=args.force)
    lang = _language(args, scenario.language)
    workbook = None
    if args.xlsx:
        workbook = results.to_excel(out / "results.xlsx", lang=lang)
    seed = results.scenario.seed
    print(text("run.header", lang, name=scenario.name, replications=replications, seed=seed))
    if results.precision is not None:
        print(results.precision.summary())
    print(format_kpis(results.kpis, lang))
    print("\n" + targets_met_text(results, lang, _where(out, args)))
    if workbook is not None:
        print(text("run.xlsx", lang, path=workbook))
    return 0


# ---------------------------------------------------------------- experiments (compare, sweep…)


def _executor_options(parser: argparse.ArgumentParser, workers: bool = True) -> None:
    if workers:
        parser.add_argument(
            "--workers", "-j", type=int, help="worker processes (default: 1, or one per CPU)"
        )
    parser.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="where replications run (default: serial, processes with --workers > 1, "
        "dask with --scheduler)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running dask.distributed scheduler, e.g. tcp://10.0.0.5:8786 "
        "(without it --executor dask starts a LocalCluster)",
    )


def _executor_kwargs(args: argparse.Namespace) -> dict:
    workers = args.workers
    if workers is None and args.executor in (None, "serial"):
        workers = 1
    return {"workers": workers, "executor": args.executor, "scheduler": args.scheduler}


def cmd_compare(args: argparse.Namespace) -> int:
    from .experiments.compare import compare, unique_labels
    from .experiments.folders import check_comparison_folder
    from .outputs.text import format_comparison

    scenarios = [_load(args, path) for path in [args.base, *args.others]]
    out = _out_folder(args, scenarios[0], prefix="compare-")
    _check_out(out)
    labels = unique_labels([s.name for s in scenarios])
    check_comparison_folder(out, dict(zip(labels, scenarios, strict=True)), force=args.force)
    comparison = compare(
        *scenarios,
        replications=args.replications,
        seed=args.seed,
        progress=True,
        **_executor_kwargs(args),
    )
    comparison.save(out, force=args.force)
    from .outputs.report import write_report

    first = comparison.results[comparison.base].scenario
    lang = _language(args, first.language)
    write_report([out / label for label in comparison.labels], out, lang=lang)
    n = len(scenarios)
    print(text("compare.header", lang, n=n, replications=first.replications, seed=first.seed))
    print(format_comparison(comparison, lang))
    print("\n" + text("compare.outputs", lang, out=_where(out, args)))
    return 0


# ---------------------------------------------------------------- govsim optimise (issue 12)


def cmd_optimise(args: argparse.Namespace) -> int:
    from .experiments.optimise import optimise, parse_variable
    from .scenario.loader import packaged_default_path

    scenario = _load(args)
    try:
        variables = [parse_variable(text) for text in args.vary]
    except ValueError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    lang = _language(args, scenario.language)
    out = _out_folder(args, scenario, prefix="optimise-")
    _check_out(out)
    source = args.scenario or packaged_default_path()
    try:
        result = optimise(
            scenario,
            variables,
            out=out,
            objective=args.objective,
            confidence=args.confidence,
            replications=args.replications,
            verify_replications=args.verify_replications,
            seed=args.seed,
            progress=True,
            **_executor_kwargs(args),
        )
    except KeyboardInterrupt:
        print(text("optimise.interrupted", lang, out=out), file=sys.stderr)
        return EXIT_INTERRUPTED
    except ValueError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    if result.passed:
        result.save(out, source)  # optimum.yaml extends the scenario file
    print(result.summary(lang))
    files = "search.csv, optimum.yaml" if result.passed else "search.csv"
    print(text("optimise.outputs", lang, out=f"{out}/ ({files})"))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from .experiments.sweep import parse_vary, sweep
    from .outputs.text import format_sweep

    scenario = _load(args)
    try:
        axes = dict(parse_vary(text) for text in args.vary)
    except ValueError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    if len(axes) != len(args.vary):
        print("govsim: each --vary key may appear only once", file=sys.stderr)
        return EXIT_USAGE
    out = _out_folder(args, scenario, prefix="sweep-")
    _check_out(out)
    stored = []
    try:
        result = sweep(
            scenario,
            axes,
            replications=args.replications,
            seed=args.seed,
            out=out,
            progress=True,
            on_point=stored.append,
            force=args.force,
            **_executor_kwargs(args),
        )
    except KeyboardInterrupt:
        print(
            f"govsim: interrupted; {len(stored)} finished point(s) are stored in {out}/points/ "
            "and the same command resumes the sweep",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    n = len(result.points)
    print(
        f"{scenario.name}: {n} points x {result.points[0].scenario.replications} replications, "
        f"seed {result.points[0].scenario.seed}; reused {result.reused} stored point(s), "
        f"ran {result.computed}"
    )
    print(format_sweep(result, args.kpi, _language(args, scenario.language)))
    print(f"\noutputs: {_where(out, args)} (sweep.csv)")
    return 0


def cmd_warmup(args: argparse.Namespace) -> int:
    from .experiments.folders import check_replaceable
    from .experiments.warmup import suggest_warmup

    scenario = _load(args)
    out = _out_folder(args, scenario, prefix="warmup-")
    _check_out(out)
    check_replaceable(out, scenario, force=args.force, what="warm-up")
    suggestion = suggest_warmup(
        scenario,
        replications=args.replications,
        seed=args.seed,
        days=args.days,
        seasonal=args.seasonal,
        progress=True,
        **_executor_kwargs(args),
    )
    suggestion.save(out, force=args.force)
    print(suggestion.summary())
    print(f"plot: {out}/warmup.png    series: {out}/warmup.csv    outputs: {_where(out, args)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .engine.city import build_city
    from .scenario.summary import scenario_summary

    scenario = _load(args)  # a city of 10^30 grids does not load: it is never built
    city = build_city(scenario)
    residents = int(city.residents.sum())
    lang = _language(args, scenario.language)
    counties = len(city.counties)
    print(scenario_summary(scenario, residents, counties, city.level_counts(), lang))
    return 0


# ---------------------------------------------------------------- validation and calibration


def cmd_validate(args: argparse.Namespace) -> int:
    from .checks.suite import validate

    def progress(name: str, seconds: float) -> None:
        print(f"  {name}: {seconds:.1f} s", file=sys.stderr)

    out = Path(args.out) if args.out else Path("results") / "validation"
    _check_out(out)  # before the suite runs
    suite = "quick" if args.quick else "full"
    print(f"govsim validate: {suite} suite, seed {args.seed}", file=sys.stderr)
    report = validate(
        quick=args.quick,
        seed=args.seed,
        workers=args.workers,
        checks=args.check or None,
        progress=progress,
    )
    out = report.save(out)
    print(report.to_text())
    table = report.table
    passed = int(table["passed"].sum())
    seconds = sum(report.seconds.values())
    print(
        f"\n{passed} of {len(table)} quantities pass ({suite} suite, {seconds:.0f} s)"
        f"    outputs: {out}/validation.csv, {out}/validation.md"
    )
    return 0 if report.passed else 1


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .checks.calibration import run_command

    _check_out(Path(args.out).parent)  # before the runs
    if Path(args.out).is_dir():
        raise OutputError(f"cannot write the report to {args.out}: it is a folder, not a file")
    if args.scenario:
        _load(args, args.scenario)  # a bad scenario is refused before any run (exit 2)
    return run_command(args)


def _add_validation_commands(commands) -> None:
    from .checks.calibration import build_parser as calibration_parser
    from .checks.suite import CHECKS, DEFAULT_SEED

    p_validate = commands.add_parser(
        "validate",
        help="check the engine against queueing theory (exit 1 if a check fails)",
    )
    p_validate.add_argument(
        "--quick", action="store_true", help="a subset that runs in under a minute"
    )
    p_validate.add_argument(
        "--out",
        "-o",
        help="folder for validation.csv and validation.md (default "
        "results/validation/; `--out docs` regenerates docs/validation.md)",
    )
    p_validate.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="suite seed (default %(default)s)"
    )
    p_validate.add_argument("--workers", "-j", type=int, default=1, help="worker processes")
    p_validate.add_argument(
        "--check",
        action="append",
        choices=[c.name for c in CHECKS],
        help="run only this check (repeatable)",
    )
    p_validate.set_defaults(handler=cmd_validate)

    p_calibrate = commands.add_parser(
        "calibrate",
        help="compare the default scenario's KPIs with published figures "
        "(results/calibration.md; `--out docs/calibration.md` regenerates the docs' copy)",
    )
    calibration_parser(p_calibrate)
    p_calibrate.set_defaults(handler=cmd_calibrate)


# ---------------------------------------------------------------- figures, reports, library


def cmd_plot(args: argparse.Namespace) -> int:
    from .outputs.figures import save_figures, standard_figures
    from .outputs.results_io import load_results

    run = load_results(args.result)
    lang = _language(args, run.scenario.get("language"))
    out = Path(args.out) if args.out else Path(args.result) / "figures"
    _check_out(out)
    paths = save_figures(standard_figures([run], lang=lang, map_kpi=args.kpi), out)
    print(text("plot.done", lang, name=run.name, n=len(paths), out=out))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .outputs.report import write_report
    from .outputs.results_io import load_results

    _check_out(Path(args.out))
    _check_out(Path(args.out) / "figures")
    runs = [load_results(folder) for folder in args.results]  # every folder, before writing
    lang = _language(args, runs[0].scenario.get("language"))
    path = write_report(runs, args.out, lang=lang, map_kpi=args.kpi)
    print(text("report.done", lang, path=path, figures=path.parent / "figures"))
    return 0


def cmd_library_table(args: argparse.Namespace) -> int:
    from .outputs.library import compare_library, library_markdown, replace_section

    if args.write:  # before the library runs
        path = Path(args.write)
        if not path.is_file():
            what = "a folder" if path.is_dir() else "no such file"
            raise OutputError(f"--write {path}: expected an existing Markdown file, found {what}")
        if not os.access(path, os.R_OK | os.W_OK):
            raise OutputError(f"--write {path}: the file is not readable and writable")
    table = compare_library(
        args.replications,
        args.horizon_days,
        args.warmup_days,
        workers=args.workers,
        progress=True,
    )
    markdown = library_markdown(table)
    if args.write:
        text = replace_section(path.read_text(encoding="utf-8"), markdown)
        store.write_text(path, text)
        print(f"library table written into {path}")
    else:
        print(markdown)
    return 0


def _add_report_commands(commands) -> None:
    p_plot = commands.add_parser("plot", help="draw the figures of one run's outputs")
    p_plot.add_argument("result", metavar="RESULT_DIR", help="output folder of `govsim run`")
    p_plot.add_argument("--out", "-o", help="folder for the PNG files (default RESULT_DIR/figures)")
    p_plot.add_argument(
        "--kpi",
        choices=COUNTY_KPIS,
        metavar="KPI",
        help="KPI of county_map.png (default: the first targeted KPI a county's cases decide, "
        "e.g. one_door_rate)",
    )
    p_plot.set_defaults(handler=cmd_plot)

    p_report = commands.add_parser(
        "report", help="write report.html comparing runs (the first is the base)"
    )
    p_report.add_argument("results", nargs="+", metavar="RESULT_DIR", help="run output folders")
    p_report.add_argument("--out", "-o", required=True, help="folder for report.html and figures")
    p_report.add_argument(
        "--kpi", choices=COUNTY_KPIS, metavar="KPI", help="KPI of the county map (as for plot)"
    )
    p_report.set_defaults(handler=cmd_report)

    p_lib = commands.add_parser(
        "library-table",
        help="run the scenario library against the baseline and print (or --write) its table",
    )
    p_lib.add_argument("--replications", "-r", type=int, help="replications (default: each file's)")
    p_lib.add_argument("--horizon-days", type=int, help="counted days (default: each file's)")
    p_lib.add_argument("--warmup-days", type=int, help="warm-up days (default: each file's)")
    p_lib.add_argument("--workers", "-j", type=int, default=1, help="worker processes")
    p_lib.add_argument(
        "--write",
        metavar="README",
        help="replace the marked library-table section of this Markdown file (scenarios/README.md)",
    )
    p_lib.set_defaults(handler=cmd_library_table)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="govsim",
        description="Simulate a city's five-level dispute-resolution command system.",
    )
    parser.add_argument("--version", action="version", version=f"govsim {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback when a replication fails"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_run = commands.add_parser("run", help="run a scenario and write its outputs")
    _scenario_arg(p_run, optional=True)
    p_run.add_argument("--replications", "-r", type=int, help="number of replications")
    p_run.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p_run.add_argument(
        "--out",
        "-o",
        help="output folder (default results/<name>/, with --set results/<name>+<key>=<value>/)",
    )
    _force_option(p_run)
    p_run.add_argument(
        "--xlsx",
        action="store_true",
        help="also write results.xlsx: KPIs with targets, KPIs by county, offices and up to "
        "100,000 cases, headers in the chosen language",
    )
    _executor_options(p_run)
    p_run.add_argument(
        "--precision",
        type=float,
        metavar="REL",
        help="add replications until every KPI with a target has a 95%% CI half-width within "
        "REL x its mean (e.g. 0.05; shares: or 0.005 absolute)",
    )
    p_run.add_argument(
        "--precision-kpis",
        type=lambda text: [k.strip() for k in text.split(",") if k.strip()],
        metavar="KPI[,KPI...]",
        help="with --precision, the KPIs that must all be that precise (default: every KPI "
        "with a target); the run says which converged last",
    )
    p_run.add_argument(
        "--max-replications",
        type=int,
        metavar="N",
        help="with --precision, stop at N replications (default 100)",
    )
    p_run.add_argument(
        "--max-cases",
        type=float,
        metavar="N",
        help="refuse to run above N expected cases per replication, warm-up included "
        "(default 5,000,000)",
    )
    p_run.add_argument(
        "--max-memory",
        type=float,
        metavar="GB",
        help="refuse to run above this estimated peak memory in GB (default 8)",
    )
    _strict_option(p_run)
    p_run.set_defaults(handler=cmd_run)

    p_compare = commands.add_parser(
        "compare",
        help="compare scenarios with a base using common random numbers",
        description="Run BASE and each OTHER with the same seeds (common random numbers) and "
        "report each KPI's difference from BASE, paired by replication.",
    )
    p_compare.add_argument("base", help="base scenario YAML file")
    p_compare.add_argument("others", nargs="+", metavar="other", help="scenario(s) to compare")
    p_compare.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one key in every scenario (repeatable)",
    )
    p_compare.add_argument(
        "--replications", "-r", type=int, help="replications (default: the base's)"
    )
    p_compare.add_argument("--seed", type=int, help="root seed for all (default: the base's)")
    p_compare.add_argument(
        "--out", "-o", help="output folder (default results/compare-<base name>/)"
    )
    _force_option(p_compare)
    _executor_options(p_compare)
    _strict_option(p_compare)
    p_compare.set_defaults(handler=cmd_compare)

    p_sweep = commands.add_parser(
        "sweep",
        help="run a grid of scenario variants (resumable)",
        description="Run every combination of the --vary values, each point replicated with "
        "the same seeds (common random numbers). Finished points are stored under the output "
        "folder; running the same sweep again reuses them.",
    )
    _scenario_arg(p_sweep, optional=False)
    p_sweep.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...|KEY=START:STOP:STEP",
        help="a key and its values, e.g. --vary offices.town.staff=3,5,8 or "
        "--vary offices.county.staff=10:20:2 (STOP included; repeatable: full grid)",
    )
    p_sweep.add_argument("--replications", "-r", type=int, help="replications per point")
    p_sweep.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p_sweep.add_argument("--out", "-o", help="output folder (default results/sweep-<name>/)")
    _force_option(p_sweep)
    p_sweep.add_argument(
        "--kpi", action="append", help="KPI to print (repeatable; sweep.csv has all)"
    )
    _executor_options(p_sweep)
    p_sweep.set_defaults(handler=cmd_sweep)

    p_opt = commands.add_parser(
        "optimise",
        help="least staff cost meeting every target with confidence (resumable)",
        description="Search staff counts (--vary KEY=LOW..HIGH) for the least staff_cost (or "
        "staff) such that every city and county target is met with one-sided --confidence; "
        "Erlang C lower bound, greedy marginal allocation, local search, then verification "
        "on fresh seeds (docs/experiments.md).",
    )
    _scenario_arg(p_opt, optional=True)
    p_opt.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=LOW..HIGH",
        help="a staff count and its bounds: offices.town.staff=2..10 or "
        "offices.overrides.Pinghu.staff=10..40 (repeatable)",
    )
    p_opt.add_argument("--objective", choices=["staff_cost", "staff"], default="staff_cost")
    p_opt.add_argument("--confidence", type=float, default=0.95, help="one-sided (0.95)")
    p_opt.add_argument("--replications", "-r", type=int, help="replications per point")
    p_opt.add_argument(
        "--verify-replications", type=int, help="replications of the check on fresh seeds "
        "(default: twice -r)",
    )  # fmt: skip
    p_opt.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p_opt.add_argument("--out", "-o", help="output folder (default results/optimise-<name>/)")
    _executor_options(p_opt)
    p_opt.set_defaults(handler=cmd_optimise, force=False)

    _add_report_commands(commands)

    p_warmup = commands.add_parser(
        "warmup",
        help="suggest a warm-up length (MSER-5 on daily open cases) and plot it",
        description="Run the scenario from an empty system and suggest how many days to discard "
        "(MSER-5 on the daily open cases averaged over replications); saves warmup.png with "
        "the cut marked and warmup.csv.",
    )
    _scenario_arg(p_warmup, optional=False)
    p_warmup.add_argument(
        "--replications", "-r", type=int, help="replications (default: the scenario's)"
    )
    p_warmup.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p_warmup.add_argument(
        "--days", type=int, help="days to simulate from empty (default: warm-up + horizon)"
    )
    p_warmup.add_argument(
        "--seasonal",
        action="store_true",
        help="keep the monthly arrival profile (by default it is made flat for this analysis)",
    )
    p_warmup.add_argument("--out", "-o", help="output folder (default results/warmup-<name>/)")
    _force_option(p_warmup)
    _executor_options(p_warmup)
    p_warmup.set_defaults(handler=cmd_warmup)

    _add_validation_commands(commands)

    p_check = commands.add_parser("check", help="validate a scenario and summarise it")
    _scenario_arg(p_check, optional=True)
    p_check.set_defaults(handler=cmd_check)
    for sub in commands.choices.values():
        sub.add_argument(
            "--lang",
            choices=LANGUAGES,
            help="language of tables, messages, figures and reports (default: $GOVSIM_LANG, "
            "else the scenario's language:, else en)",
        )
    return parser


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (``kill``, a batch scheduler, ``docker stop``) stops a command like Ctrl-C does:
    pools are shut down, staging folders removed, exit code 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        lang = _language(args)  # messages before a scenario is read: --lang or GOVSIM_LANG
    except ValueError as error:
        parser.error(f"{error} (from $GOVSIM_LANG)")
    for name in ("replications", "workers", "max_replications"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, found {value}")
    days = getattr(args, "days", None)
    if days is not None and days < MIN_WARMUP_DAYS:
        parser.error(f"--days must be at least {MIN_WARMUP_DAYS}, found {days}")
    if getattr(args, "precision", None) is not None and not args.precision > 0:
        parser.error(f"--precision must be positive, found {args.precision}")
    _check_precision_kpis(parser, getattr(args, "precision_kpis", None))
    try:
        with _sigterm_as_interrupt():
            return args.handler(args)
    except LimitError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ScenarioError as error:
        print(f"{text('error.scenario', lang)}\n{error.render(lang)}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as error:
        print(f"govsim: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(text("error.interrupted", lang), file=sys.stderr)
        return EXIT_INTERRUPTED
    except ReplicationError as error:
        if args.debug:
            traceback.print_exception(error, file=sys.stderr)
        print(f"govsim: {error}", file=sys.stderr)
        if not args.debug:
            print(text("error.debug", lang), file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
