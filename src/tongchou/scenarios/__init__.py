"""Scenarios: a stochastic metapopulation model of every region coupled by real mobility,
calibrated to reported cases, and driven by dated interventions (levers) read from YAML.

    from tongchou.scenarios import china_model, compare
    model = china_model()
    table = compare(["wuhan_2020", "wuhan_closure_3_days_later", "wuhan_no_closure"], model)
"""

from tongchou.scenarios.calibration import Fit, calibrate
from tongchou.scenarios.compare import Comparison, compare, compare_ensembles
from tongchou.scenarios.levers import Effects, apply
from tongchou.scenarios.metapop import COMPARTMENTS, Drivers, Run, simulate
from tongchou.scenarios.mobility import (
    TRIPS_PER_INDEX,
    Mobility,
    china_mobility,
    mobility_from_frame,
)
from tongchou.scenarios.model import Model, Result, build_model, china_model
from tongchou.scenarios.parameters import Parameters
from tongchou.scenarios.scenario import Scenario, load_scenario

__all__ = [
    "COMPARTMENTS",
    "TRIPS_PER_INDEX",
    "Comparison",
    "Drivers",
    "Effects",
    "Fit",
    "Mobility",
    "Model",
    "Parameters",
    "Result",
    "Run",
    "Scenario",
    "apply",
    "build_model",
    "calibrate",
    "china_mobility",
    "china_model",
    "compare",
    "compare_ensembles",
    "load_scenario",
    "mobility_from_frame",
    "simulate",
]
