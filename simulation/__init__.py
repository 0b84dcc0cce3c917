"""govsim: a discrete-event simulator of a city's five-level social-governance command system.

The public API notebooks and the ``govsim`` command share::

    import simulation
    scenario = simulation.load_scenario("scenarios/jiaxing.yaml")
    results = simulation.run(scenario, replications=5)
    results.kpis          # kpi, mean, ci_low, ci_high, replications, target, meets
    simulation.compare(scenario, other)            # paired, common random numbers
    simulation.sweep(scenario, {"offices.town.staff": [3, 5, 8]}, out="results/sweep")
    simulation.validate(quick=True)                # the engine against queueing theory
"""

from .analysis.stats import mean_ci
from .checks.suite import ValidationReport, validate
from .contract import LEVELS
from .engine.city import build_city
from .errors import ReplicationError, ScenarioError
from .experiments.compare import Comparison, compare
from .experiments.optimise import Optimum, optimise
from .experiments.runner import Results, run
from .experiments.sweep import Sweep, sweep
from .outputs.library import scenarios_dir
from .outputs.results_io import from_results, load_results
from .scenario.limits import LimitError
from .scenario.loader import default_scenario, load_scenario, packaged_default_path
from .scenario.schema import Scenario
from .version import __version__

_LAZY = {"figures": "figures", "write_report": "report"}
"""Names that import matplotlib, loaded on first use so ``govsim`` starts without it."""


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".outputs.{_LAZY[name]}", __name__)
        return module if name == "figures" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LEVELS",
    "Comparison",
    "LimitError",
    "Optimum",
    "ReplicationError",
    "Results",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "ValidationReport",
    "build_city",
    "compare",
    "default_scenario",
    "figures",
    "from_results",
    "load_results",
    "mean_ci",
    "packaged_default_path",
    "scenarios_dir",
    "load_scenario",
    "optimise",
    "run",
    "sweep",
    "validate",
    "write_report",
    "__version__",
]
