"""The shape of a ruleset file, as Pydantic models. Meaning (known names, level order,
step-down graph) is checked afterwards in ``ruleset.py``, where the whole file is in view.

A condition is one of::

    {all: [condition, ...]}        every one holds
    {any: [condition, ...]}        at least one holds
    {indicator: confirmed_new, stat: sum, window: 14, above: 0}    a leaf

A leaf compares one statistic of one daily series with a threshold: ``above`` (>),
``at_least`` (>=), ``below`` (<), ``at_most`` (<=), or ``equals``; one lower and one upper
bound may be combined into a band (``at_least: 1, below: 10``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tongchou.zoning.windows import STATS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PydanticCustomError("positive_integer", "expected a positive integer")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number", "expected a number")
    return float(value)


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("text", "expected non-empty text")
    return value.strip()


PositiveInt = Annotated[int, BeforeValidator(_positive_int)]
Number = Annotated[float, BeforeValidator(_number)]
Text = Annotated[str, BeforeValidator(_text)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]


class Label(Strict):
    """The same words in Chinese and English."""

    zh: Text
    en: Text


class Leaf(Strict):
    indicator: Identifier
    stat: Literal[STATS] = "last"  # type: ignore[valid-type]
    window: PositiveInt = 1
    per_100k: bool = False
    above: Number | None = None
    at_least: Number | None = None
    below: Number | None = None
    at_most: Number | None = None
    equals: Number | None = None
    # "false": a missing input (not supplied, or NaN that day) makes this leaf not hold, and
    # the result says so; "unknown" (the default): the level cannot be decided.
    when_missing: Literal["unknown", "false"] = "unknown"
    # Show the value as a percentage (default: yes for shares, unless per 100,000).
    percent: bool | None = None
    # Text shown when the leaf holds; {value} and {threshold} are filled in.
    label: Label | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> Leaf:
        lower = [k for k in ("above", "at_least") if getattr(self, k) is not None]
        upper = [k for k in ("below", "at_most") if getattr(self, k) is not None]
        if self.equals is not None and (lower or upper):
            raise PydanticCustomError("comparison", "equals cannot be combined with another bound")
        if self.equals is None and not (lower or upper):
            raise PydanticCustomError(
                "comparison",
                "expected a comparison: above, at_least, below, at_most or equals",
            )
        if len(lower) > 1 or len(upper) > 1:
            raise PydanticCustomError(
                "comparison",
                "expected at most one lower bound (above or at_least) and one "
                "upper bound (below or at_most)",
            )
        return self


class AllOf(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    any: list[Condition] = Field(min_length=1)


def _condition_kind(value: object) -> str | None:
    if isinstance(value, dict):
        return "<all>" if "all" in value else "<any>" if "any" in value else "<leaf>"
    if isinstance(value, AllOf | AnyOf | Leaf):
        return {AllOf: "<all>", AnyOf: "<any>", Leaf: "<leaf>"}[type(value)]
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")]
    | Annotated[Leaf, Tag("<leaf>")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="expected a condition: a mapping with all:, any: or indicator:",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


class LevelSpec(Strict):
    id: Identifier
    label: Label
    colour: Colour
    # Optional explicit rank, 0 (or 1) = lowest risk; must agree with the list order.
    order: int | None = None
    when: Condition | None = None
    description: Label | None = None


class ProxySpec(Strict):
    """A stand-in for a daily series the caller may not have: the series is 1 on a day the
    condition holds, 0 when it does not; every reason that rests on it says so."""

    label: Label
    when: Condition


class StepDownRule(Strict):
    from_: Identifier = Field(alias="from")
    to: Identifier
    after_days: PositiveInt
    # Applies only to regions that came down to ``from`` from this level; such rules replace
    # the general ones for those regions.
    reached_from: Identifier | None = None
    # level_start: the run of days without a new case counts from the later of the last new
    # case and the day the region took its current level; last_new: from the last new case.
    count_from: Literal["level_start", "last_new"] = "level_start"
    note: Label | None = None


class StepDownSpec(Strict):
    without_new: Identifier = "confirmed_new"
    rules: list[StepDownRule] = Field(min_length=1)


class DeclaredInput(Strict):
    kind: Literal["count", "cumulative", "share", "ratio"]
    label: Label


class RulesetFile(Strict):
    id: Identifier
    name: Label
    source: Text
    unit: Text | None = None
    notes: Text | None = None
    inputs: dict[Identifier, DeclaredInput] = Field(default_factory=dict)
    levels: list[LevelSpec] = Field(min_length=2)
    # True when the standard's conditions are mutually exclusive, as written: then a level
    # whose condition holds is taken even if a higher level's condition cannot be decided.
    exclusive: bool = False
    default: Identifier
    proxies: dict[Identifier, ProxySpec] = Field(default_factory=dict)
    step_down: StepDownSpec | None = None
