"""Rulesets as the engine uses them: levels of risk (lowest first), the tests and condition
trees that decide them, proxies, and step-down rules. Built from a checked file by
``ruleset_loading``; immutable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tongchou.errors import InputError, Problem
from tongchou.zoning.inputs import InputSpec, nearest_name
from tongchou.zoning.ruleset_schema import Label


@dataclass(frozen=True)
class Measure:
    """What a leaf measures: a statistic of one series over a window."""

    input: str
    stat: str
    window: int
    per_100k: bool


@dataclass(frozen=True)
class Test:
    """One comparison of a measure with a threshold (or a band), as compiled from a leaf."""

    index: int
    measure: Measure
    lower: float
    lower_inclusive: bool
    upper: float
    upper_inclusive: bool
    when_missing: str
    percent: bool
    label: Label | None
    path: str

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Whether each value meets the comparison (False for NaN)."""
        with np.errstate(invalid="ignore"):
            low = values >= self.lower if self.lower_inclusive else values > self.lower
            high = values <= self.upper if self.upper_inclusive else values < self.upper
        return low & high

    @property
    def unbounded_above(self) -> bool:
        return math.isinf(self.upper)


@dataclass(frozen=True)
class Node:
    """A condition tree: ``all``/``any`` of children, or a ``test`` (index into the tests)."""

    kind: str
    children: tuple[Node, ...] = ()
    test: int = -1
    path: str = ""

    def tests(self) -> list[int]:
        if self.kind == "test":
            return [self.test]
        return [t for child in self.children for t in child.tests()]


@dataclass(frozen=True)
class Level:
    index: int
    id: str
    label: Label
    colour: str
    when: Node | None
    description: Label | None = None

    def name(self, lang: str = "en") -> str:
        return getattr(self.label, "zh" if lang == "zh" else "en")


@dataclass(frozen=True)
class Proxy:
    """A stand-in series: 1 on a day its condition holds, else 0 (NaN when undecided)."""

    input: str
    label: Label
    when: Node
    tests: tuple[Test, ...]


@dataclass(frozen=True)
class StepDown:
    """A region at ``source`` may come down to ``target`` after ``after_days`` days without a
    new case (see ``count_from``); ``reached_from`` limits the rule to regions that came down
    to ``source`` from that level."""

    index: int
    source: int
    target: int
    after_days: int
    reached_from: int
    count_from: str
    note: Label | None
    path: str


@dataclass(frozen=True)
class Ruleset:
    id: str
    name: Label
    source: str
    place: str
    levels: tuple[Level, ...]
    default: int
    tests: tuple[Test, ...]
    inputs: dict[str, InputSpec]
    proxies: dict[str, Proxy] = field(default_factory=dict)
    step_downs: tuple[StepDown, ...] = ()
    without_new: str = "confirmed_new"
    exclusive: bool = False
    unit: str | None = None
    notes: str | None = None

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def level_index(self, level_id: str, place: str = "level") -> int:
        """The index of a level named by id, or InputError with the nearest id."""
        for level in self.levels:
            if level.id == level_id:
                return level.index
        raise InputError(
            Problem(
                place,
                "unknown level",
                value=level_id,
                expected="one of " + ", ".join(self.level_ids),
                nearest=nearest_name(level_id, self.level_ids),
            )
        )

    def required_inputs(self) -> set[str]:
        """Series the caller must supply (a proxied series may be supplied or stood in for)."""
        needed = {t.measure.input for t in self.tests if t.when_missing == "unknown"}
        return needed | ({self.without_new} if self.step_downs else set())

    def needs_population(self) -> bool:
        every = [*self.tests, *(t for p in self.proxies.values() for t in p.tests)]
        return any(t.measure.per_100k for t in every)
