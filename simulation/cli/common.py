"""What every ``govsim`` command shares: exit codes, the scenario argument and its loading,
output folders, executor options and the language of messages."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import OutputError, ScenarioError
from ..i18n import choose_language

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MIN_WARMUP_DAYS = 10
"""A warm-up analysis needs two 5-day batches at least (``warmup.BATCH_DAYS``)."""


def add_command(commands, name: str, help: str, description: str | None = None):
    """A subcommand's parser: ``help`` in ``govsim --help``, ``description`` in its own."""
    return commands.add_parser(name, help=help, description=description)


def scenario_arg(parser: argparse.ArgumentParser, optional: bool) -> None:
    parser.add_argument(
        "scenario",
        nargs="?" if optional else None,
        help="scenario YAML file"
        + (" (default: the packaged Jiaxing scenario)" if optional else ""),
    )
    set_option(parser, "override one scenario key, e.g. --set offices.county.staff=18 (repeatable)")


def set_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--set KEY.PATH=VALUE`` (repeatable), collected in ``args.overrides``."""
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE", help=help
    )


def load(args: argparse.Namespace, source=None):
    """The scenario of ``args`` (or ``source``) with its ``--set`` overrides, refused before any
    replication when no case can arrive in it (``runner.check_runnable``), located in the file
    or the ``--set`` that wrote its key."""
    from ..experiments.runner import check_runnable
    from ..scenario.loader import load_scenario, packaged_default_path
    from ..scenario.locate import locate

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


def language(args: argparse.Namespace, scenario_language: str | None = None) -> str:
    """``--lang``, else ``GOVSIM_LANG``, else the scenario's ``language:``, else English."""
    return choose_language(getattr(args, "lang", None), scenario_language)


def check_out(out: Path) -> None:
    """``out`` must be a folder or creatable as one: no file in its place or above it."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"cannot write outputs to {out}: {folder} is not a folder")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise OutputError(f"cannot write outputs to {out}: {folder} is not writable")
            return


def force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that holds another scenario's results",
    )


def out_folder(args: argparse.Namespace, scenario, prefix: str = "") -> Path:
    """``--out``, or ``results/<prefix><name>[+<key>=<value>...]`` named after the ``--set``
    changes, so a variant never lands in its base scenario's folder."""
    from ..experiments.folders import default_folder_name

    if args.out:
        return Path(args.out)
    return Path("results") / default_folder_name(scenario, args.overrides, prefix)


def where(out: Path, args: argparse.Namespace) -> str:
    """Where the outputs went, saying why when the folder was named after ``--set``."""
    named = not args.out and args.overrides
    return f"{out}/" + (" (named after the --set changes)" if named else "")


def executor_options(parser: argparse.ArgumentParser, workers: bool = True) -> None:
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


def executor_kwargs(args: argparse.Namespace) -> dict:
    workers = args.workers
    if workers is None and args.executor in (None, "serial"):
        workers = 1
    return {"workers": workers, "executor": args.executor, "scheduler": args.scheduler}


def strict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="a target is met only when its whole 95%% interval meets it (default: the mean)",
    )


def check_precision_kpis(parser: argparse.ArgumentParser, kpis: list[str] | None) -> None:
    """``--precision-kpis`` names known KPIs (an argparse error, exit 2, otherwise)."""
    from ..contract import KPI_NAMES
    from ..errors import did_you_mean

    for kpi in kpis or []:
        if kpi not in KPI_NAMES:
            close = did_you_mean(kpi, KPI_NAMES)
            parser.error(
                f"--precision-kpis: unknown KPI {kpi!r}" + (f" ({close})" if close else "")
            )
