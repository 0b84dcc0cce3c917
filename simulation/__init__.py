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

from .checks.suite import ValidationReport, validate
from .errors import ReplicationError, ScenarioError
from .experiments.compare import Comparison, compare
from .experiments.optimise import Optimum, optimise
from .experiments.runner import Results, run
from .experiments.sweep import Sweep, sweep
from .scenario.limits import LimitError
from .scenario.loader import load_scenario
from .scenario.schema import Scenario

__version__ = "0.1.0"

__all__ = [
    "Comparison",
    "LimitError",
    "Optimum",
    "ReplicationError",
    "Results",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "ValidationReport",
    "compare",
    "load_scenario",
    "optimise",
    "run",
    "sweep",
    "validate",
    "__version__",
]
