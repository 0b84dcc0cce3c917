"""``govsim compare``: run scenarios against a base with common random numbers."""

from __future__ import annotations

import argparse

from ..i18n import text
from . import common

HELP = "compare scenarios with a base using common random numbers"
DESCRIPTION = (
    "Run BASE and each OTHER with the same seeds (common random numbers) and "
    "report each KPI's difference from BASE, paired by replication."
)


def add(commands) -> None:
    parser = common.add_command(commands, "compare", HELP, DESCRIPTION)
    parser.add_argument("base", help="base scenario YAML file")
    parser.add_argument("others", nargs="+", metavar="other", help="scenario(s) to compare")
    common.set_option(parser, "override one key in every scenario (repeatable)")
    parser.add_argument("--replications", "-r", type=int, help="replications (default: the base's)")
    parser.add_argument("--seed", type=int, help="root seed for all (default: the base's)")
    parser.add_argument("--out", "-o", help="output folder (default results/compare-<base name>/)")
    common.force_option(parser)
    common.executor_options(parser)
    common.strict_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..experiments.compare import compare, unique_labels
    from ..experiments.folders import check_comparison_folder
    from ..outputs.text import format_comparison

    scenarios = [common.load(args, path) for path in [args.base, *args.others]]
    out = common.out_folder(args, scenarios[0], prefix="compare-")
    common.check_out(out)
    labels = unique_labels([s.name for s in scenarios])
    check_comparison_folder(out, dict(zip(labels, scenarios, strict=True)), force=args.force)
    comparison = compare(
        *scenarios,
        replications=args.replications,
        seed=args.seed,
        progress=True,
        **common.executor_kwargs(args),
    )
    comparison.save(out, force=args.force)
    from ..outputs.report import write_report

    first = comparison.results[comparison.base].scenario
    lang = common.language(args, first.language)
    write_report([out / label for label in comparison.labels], out, lang=lang)
    n = len(scenarios)
    print(text("compare.header", lang, n=n, replications=first.replications, seed=first.seed))
    print(format_comparison(comparison, lang))
    print("\n" + text("compare.outputs", lang, out=common.where(out, args)))
    return 0
