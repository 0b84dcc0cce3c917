"""govsim: a discrete-event simulator of a city's five-level social-governance command system.

The public API notebooks and the ``govsim`` command share::

    import simulation
    scenario = simulation.load_scenario("scenarios/jiaxing.yaml")
    results = simulation.run(scenario, replications=5)
    results.kpis          # kpi, mean, ci_low, ci_high, replications, target, meets
"""

from .errors import ScenarioError
from .experiment import Results, run
from .loader import load_scenario
from .scenario import Scenario

__version__ = "0.1.0"

__all__ = ["Results", "Scenario", "ScenarioError", "load_scenario", "run", "__version__"]
