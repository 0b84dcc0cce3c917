"""``govsim check``: validate a scenario and summarise it without running it."""

from __future__ import annotations

import argparse

from . import common


def add(commands) -> None:
    parser = commands.add_parser("check", help="validate a scenario and summarise it")
    common.scenario_arg(parser, optional=True)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..engine.city import build_city
    from ..scenario.summary import scenario_summary

    scenario = common.load(args)  # a city of 10^30 grids does not load: it is never built
    city = build_city(scenario)
    residents = int(city.residents.sum())
    lang = common.language(args, scenario.language)
    counties = len(city.counties)
    print(scenario_summary(scenario, residents, counties, city.level_counts(), lang))
    return 0
