"""``govsim calibrate``: compare the default scenario's KPIs with published figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import OutputError
from . import common


def add(commands) -> None:
    from ..checks.calibration import build_parser

    parser = commands.add_parser(
        "calibrate",
        help="compare the default scenario's KPIs with published figures "
        "(results/calibration.md; `--out docs/calibration.md` regenerates the docs' copy)",
    )
    build_parser(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..checks.calibration import run_command

    common.check_out(Path(args.out).parent)  # before the runs
    if Path(args.out).is_dir():
        raise OutputError(f"cannot write the report to {args.out}: it is a folder, not a file")
    if args.scenario:
        common.load(args, args.scenario)  # a bad scenario is refused before any run (exit 2)
    return run_command(args)
