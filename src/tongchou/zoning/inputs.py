"""The daily series a ruleset can be written against, and the checks every input array passes.

The engine receives base series by name as arrays shaped (regions, days) and a population
vector shaped (regions,). A ruleset may declare further series of its own (``inputs:`` in its
file); those are checked the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tongchou.errors import InputError, Problem

Kind = Literal["count", "cumulative", "share", "ratio"]


@dataclass(frozen=True)
class InputSpec:
    """One named daily series: its kind decides the checks and how values are shown."""

    name: str
    kind: Kind
    label_zh: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


BASE_INPUTS: dict[str, InputSpec] = {
    spec.name: spec
    for spec in (
        InputSpec("confirmed_new", "count", "新增确诊", "new confirmed cases"),
        InputSpec("confirmed_cumulative", "cumulative", "累计确诊", "cumulative confirmed cases"),
        InputSpec("clusters_new", "count", "新增聚集性疫情", "new clusters"),
        InputSpec("deaths_new", "count", "新增死亡", "new deaths"),
        InputSpec("admissions_new", "count", "新增入院", "new hospital admissions"),
        InputSpec("bed_occupancy", "share", "病床占用率", "bed occupancy"),
        InputSpec("rt_mean", "ratio", "有效再生数Rt", "Rt"),
        InputSpec("test_positivity", "share", "检测阳性率", "test positivity"),
    )
}


def nearest_name(name: str, names) -> str | None:
    found = difflib.get_close_matches(str(name), list(names), n=1, cutoff=0.5)
    return found[0] if found else None


def check_inputs(
    inputs: Mapping[str, np.ndarray],
    known: Mapping[str, InputSpec],
    population: np.ndarray | None,
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """The inputs as float arrays of one shape, or InputError listing every problem found.

    Counts and shares must not be negative; no value may be infinite. Missing values are NaN.
    """
    problems: list[Problem] = []
    arrays: dict[str, np.ndarray] = {}
    shape: tuple[int, ...] | None = None
    for name, raw in inputs.items():
        place = f"inputs[{name!r}]"
        if name not in known:
            problems.append(
                Problem(
                    place,
                    "unknown input",
                    value=name,
                    expected="one of " + ", ".join(sorted(known)),
                    nearest=nearest_name(name, known),
                )
            )
            continue
        try:
            values = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            problems.append(Problem(place, "not numeric", expected="an array of numbers"))
            continue
        if values.ndim != 2:
            problems.append(
                Problem(place, "wrong shape", value=values.shape, expected="(regions, days)")
            )
            continue
        if shape is None:
            shape = values.shape
        elif values.shape != shape:
            problems.append(
                Problem(
                    place,
                    "shape differs from the other inputs",
                    value=values.shape,
                    expected=str(shape),
                )
            )
            continue
        problems.extend(_value_problems(place, values, known[name].kind))
        arrays[name] = values
    if population is not None:
        population = np.asarray(population, dtype=float)
        if shape is not None and population.shape != (shape[0],):
            problems.append(
                Problem(
                    "population",
                    "wrong shape",
                    value=population.shape,
                    expected=f"({shape[0]},), one value per region",
                )
            )
        elif np.any(population < 0) or np.any(np.isinf(population)):
            bad = np.flatnonzero((population < 0) | np.isinf(population))[0]
            problems.append(
                Problem(
                    f"population[{bad}]",
                    "impossible population",
                    value=population[bad],
                    expected="a non-negative number, or NaN where unknown",
                )
            )
    if problems:
        raise InputError(problems)
    return arrays, population


def _value_problems(place: str, values: np.ndarray, kind: str) -> list[Problem]:
    problems = []
    infinite = np.isinf(values)
    if infinite.any():
        region, day = np.argwhere(infinite)[0]
        problems.append(
            Problem(
                f"{place}[{region}, {day}]",
                "infinite value",
                value=float(values[region, day]),
                expected="a finite number, or NaN where missing",
            )
        )
    # Every kind the engine knows (counts, totals, shares, Rt) is non-negative by nature.
    negative = values < 0
    if negative.any():
        region, day = np.argwhere(negative)[0]
        problems.append(
            Problem(
                f"{place}[{region}, {day}]",
                f"negative value ({int(negative.sum())} in all)",
                value=float(values[region, day]),
                expected=f"a {kind} >= 0; clean revisions before zoning",
            )
        )
    return problems
