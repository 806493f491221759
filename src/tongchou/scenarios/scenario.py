"""Scenario files: a period, seeds, parameters, mobility and dated interventions, in YAML.

    name: closure-2020-01-23
    start: 2020-01-10
    end: 2020-04-29
    seeds: {"420100": {E: 2000, Iu: 2000}}
    parameters: {beta: 1.12, alpha: 0.14}       # overrides of the model's parameters
    mobility:                                   # optional: the flows' counterfactual
      restore: {regions: ["420100"], after: 2020-01-23, reference: [2020-01-16, 2020-01-22]}
    capacity: {beds_per_10k: 2.0, regions: {"420100": 5000}}
    zones: {hubei_other: ["420200", ...]}
    interventions:
      - {lever: mobility_restriction, regions: ["420100"], start: 2020-01-24, outflow: 0.13}

Errors name the file and the key (`closure.yaml: interventions[2].contacts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tongchou.errors import InputError, Problem
from tongchou.scenarios.levers import LEVERS, Effects, Intervention, apply
from tongchou.scenarios.metapop import COMPARTMENTS
from tongchou.scenarios.mobility import positions
from tongchou.scenarios.model import Model, Result
from tongchou.scenarios.parameters import Parameters

EXAMPLES = ("wuhan_2020", "wuhan_closure_3_days_later", "wuhan_no_closure")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Restore(_Strict):
    regions: list[str]
    after: dt.date
    reference: tuple[dt.date, dt.date]


class MobilitySpec(_Strict):
    restore: Restore | None = None
    scale: float = Field(1.0, ge=0.0)


class CapacitySpec(_Strict):
    beds_per_10k: float | None = Field(None, ge=0.0)
    regions: dict[str, float] = {}


class ScenarioFile(_Strict):
    name: str
    title: str | None = None
    description: str | None = None
    start: dt.date
    end: dt.date
    seeds: dict[str, dict[str, float]]
    parameters: dict[str, float] = {}
    mobility: MobilitySpec = MobilitySpec()
    capacity: CapacitySpec | None = None
    zones: dict[str, list[str]] = {}
    interventions: list[Intervention] = []

    @model_validator(mode="before")
    @classmethod
    def _codes_as_text(cls, data):
        if isinstance(data, dict):
            for key in ("seeds", "zones"):
                if isinstance(data.get(key), dict):
                    data[key] = {
                        str(k): ([str(c) for c in v] if isinstance(v, list) else v)
                        for k, v in data[key].items()
                    }
        return data

    @model_validator(mode="after")
    def _period(self):
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file, ready to be applied to a model."""

    spec: ScenarioFile
    source: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def days(self) -> int:
        return (self.spec.end - self.spec.start).days + 1

    def prepare(
        self, model: Model, zones: Mapping[str, list[str]] | None = None
    ) -> tuple[np.ndarray, Parameters, object, Effects]:
        """Initial state, parameters, mobility and effects of this scenario on `model`;
        unknown regions are reported with the file and the key. `zones` (e.g. the regions of
        each risk level from the zoning engine) add to and override the file's zones."""
        place = self.source
        initial = model.initial_state(self.spec.seeds, place=f"{place}: seeds")
        try:
            parameters = model.parameters.replace(**self.spec.parameters)
        except InputError as error:
            raise InputError(
                [_prefixed(p, place) for p in error.problems], hint=error.hint
            ) from None
        mobility = model.mobility
        spec = self.spec.mobility
        if mobility is not None and spec.restore is not None:
            _known(spec.restore.regions, model, f"{place}: mobility.restore.regions")
            mobility = mobility.restored(
                spec.restore.regions, spec.restore.after, spec.restore.reference
            )
        if mobility is not None and spec.scale != 1.0:
            mobility = mobility.scaled(spec.scale)
        all_zones = {**self.spec.zones, **{k: list(v) for k, v in (zones or {}).items()}}
        for zone, codes in all_zones.items():
            _known(codes, model, f"{place}: zones.{zone}")
        effects = apply(
            self.spec.interventions,
            model.codes,
            self.spec.start,
            self.days,
            zones=all_zones,
            beds=self._beds(model),
            place=place,
        )
        _check_documented_share(effects, parameters, self.spec.interventions, place)
        return initial, parameters, mobility, effects

    def _beds(self, model: Model) -> np.ndarray | None:
        capacity = self.spec.capacity
        if capacity is None:
            return None
        beds = np.full(len(model.codes), np.nan)
        if capacity.beds_per_10k is not None:
            beds = model.population * capacity.beds_per_10k / 1e4
        _known(list(capacity.regions), model, f"{self.source}: capacity.regions")
        for code, count in capacity.regions.items():
            beds[model.position[code]] = count
        return beds

    def run(
        self,
        model: Model,
        *,
        members: int = 100,
        stochastic: bool = True,
        seed: int | None = 0,
        record=("infections", "cases", "hospital", "deaths"),
        by=None,
        zones: Mapping[str, list[str]] | None = None,
        prepared: tuple | None = None,
    ) -> tuple[Result, Effects]:
        """The scenario as an ensemble (or one deterministic run) on `model`. `prepared`: what
        `prepare(model, zones)` returned, for a scenario run in many parts."""
        initial, parameters, mobility, effects = prepared or self.prepare(model, zones)
        result = model.run(
            self.spec.start,
            self.days,
            initial,
            members=members,
            stochastic=stochastic,
            seed=seed,
            parameters=parameters,
            drivers=effects.drivers,
            mobility=mobility,
            record=record,
            by=by,
        )
        return result, effects


def load_scenario(source: str | Path | Mapping) -> Scenario:
    """A scenario from a YAML file, the name of a bundled example, or a mapping."""
    if isinstance(source, Mapping):
        return _validated(_with_base(dict(source), "scenario", Path.cwd(), ()), "scenario")
    text, place, directory = _locate(source, "scenario")
    data = _with_base(_read_yaml(text, place), place, directory, (place,))
    return _validated(data, place)


def _locate(source: str | Path, place: str) -> tuple[str, str, Path]:
    """Text, display name and directory of a scenario file or bundled example."""
    path = Path(source)
    if path.exists():
        return path.read_text("utf-8"), path.name, path.parent
    name = str(source).removesuffix(".yaml")
    if name in EXAMPLES:
        example = resources.files("tongchou.scenarios") / "examples" / f"{name}.yaml"
        return example.read_text("utf-8"), f"{name}.yaml", Path.cwd()
    raise InputError(
        Problem(place, "no such scenario file", value=str(source), expected=f"a path or {EXAMPLES}")
    )


def _with_base(data: dict, place: str, directory: Path, seen: tuple[str, ...]) -> dict:
    """A scenario that names a `base` takes the base's keys, its own keys winning, and the
    base's interventions (less those whose id it lists under `drop`) before its own."""
    base_name = data.pop("base", None)
    drop = data.pop("drop", [])
    if base_name is None:
        if drop:
            raise InputError(Problem(f"{place}: drop", "drop needs a base scenario"))
        return data
    candidate = directory / str(base_name)
    source = candidate if candidate.exists() else base_name
    text, base_place, base_directory = _locate(source, f"{place}: base")
    if base_place in seen:
        raise InputError(Problem(f"{place}: base", "scenarios extend each other in a circle"))
    base = _with_base(_read_yaml(text, base_place), base_place, base_directory, (*seen, place))
    ids = [i.get("id") for i in base.get("interventions", []) if isinstance(i, dict)]
    unknown = [d for d in drop if d not in ids]
    if unknown:
        raise InputError(
            Problem(
                f"{place}: drop",
                f"no intervention with this id in {base_place}",
                value=unknown[0],
                expected=", ".join(str(i) for i in ids if i),
            )
        )
    merged = {**base, **data}
    kept = [i for i in base.get("interventions", []) if i.get("id") not in drop]
    merged["interventions"] = kept + list(data.get("interventions", []))
    return merged


def _read_yaml(text: str, place: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            Problem(
                place,
                f"not valid YAML: {getattr(error, 'problem', error)}",
                row=None if mark is None else mark.line + 1,
            )
        ) from None
    if not isinstance(data, dict):
        raise InputError(Problem(place, "a scenario is a mapping of keys", value=type(data)))
    return data


def _validated(data: dict, place: str) -> Scenario:
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key = _key(item["loc"])
            value = item.get("input")
            problems.append(
                Problem(
                    f"{place}: {key}" if key else place,
                    item["msg"],
                    value=None if isinstance(value, dict | list) else value,
                )
            )
        raise InputError(problems) from None
    for code, counts in spec.seeds.items():
        unknown = [c for c in counts if c not in COMPARTMENTS[1:]]
        if unknown:
            raise InputError(
                Problem(
                    f"{place}: seeds.{code}",
                    "unknown compartment",
                    value=unknown[0],
                    expected=", ".join(COMPARTMENTS[1:]),
                )
            )
    return Scenario(spec, place)


def _key(loc: tuple) -> str:
    """('interventions', 2, 'distancing', 'contacts') -> interventions[2].contacts"""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in LEVERS or part.startswith(("function-", "tagged-union")):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _check_documented_share(effects: Effects, parameters: Parameters, interventions, place):
    """Every hospitalised infection is documented: a testing lever cannot set the documented
    share below the hospitalised share."""
    share = effects.drivers.alpha
    if share is None:
        return
    floor = float(np.max(parameters.ihr))
    for i, item in enumerate(interventions):
        value = getattr(item, "documented_share", None)
        if value is not None and value < floor:
            raise InputError(
                Problem(
                    f"{place}: interventions[{i}].documented_share",
                    "below the share of infections that need a hospital bed (parameter ihr)",
                    value=value,
                    expected=f">= {floor}",
                )
            )


def _known(codes, model: Model, place: str) -> None:
    positions(model.codes, [str(c) for c in codes], place)


def _prefixed(problem: Problem, place: str) -> Problem:
    return Problem(
        f"{place}: {problem.place}",
        problem.message,
        value=problem.value,
        expected=problem.expected,
        nearest=problem.nearest,
    )
