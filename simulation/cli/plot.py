"""``govsim plot``: draw the figures of one run's outputs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..contract import COUNTY_KPIS
from ..i18n import text
from . import common


def add(commands) -> None:
    parser = commands.add_parser("plot", help="draw the figures of one run's outputs")
    parser.add_argument("result", metavar="RESULT_DIR", help="output folder of `govsim run`")
    parser.add_argument("--out", "-o", help="folder for the PNG files (default RESULT_DIR/figures)")
    parser.add_argument(
        "--kpi",
        choices=COUNTY_KPIS,
        metavar="KPI",
        help="KPI of county_map.png (default: the first targeted KPI a county's cases decide, "
        "e.g. one_door_rate)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..outputs.figures import save_figures, standard_figures
    from ..outputs.results_io import load_results

    run = load_results(args.result)
    lang = common.language(args, run.scenario.get("language"))
    out = Path(args.out) if args.out else Path(args.result) / "figures"
    common.check_out(out)
    paths = save_figures(standard_figures([run], lang=lang, map_kpi=args.kpi), out)
    print(text("plot.done", lang, name=run.name, n=len(paths), out=out))
    return 0
