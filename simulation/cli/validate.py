"""``govsim validate``: check the engine against queueing theory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import common


def add(commands) -> None:
    from ..checks.suite import CHECKS, DEFAULT_SEED

    parser = commands.add_parser(
        "validate",
        help="check the engine against queueing theory (exit 1 if a check fails)",
    )
    parser.add_argument("--quick", action="store_true", help="a subset that runs in under a minute")
    parser.add_argument(
        "--out",
        "-o",
        help="folder for validation.csv and validation.md (default "
        "results/validation/; `--out docs` regenerates docs/validation.md)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="suite seed (default %(default)s)"
    )
    parser.add_argument("--workers", "-j", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--check",
        action="append",
        choices=[c.name for c in CHECKS],
        help="run only this check (repeatable)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..checks.suite import validate

    def progress(name: str, seconds: float) -> None:
        print(f"  {name}: {seconds:.1f} s", file=sys.stderr)

    out = Path(args.out) if args.out else Path("results") / "validation"
    common.check_out(out)  # before the suite runs
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
