"""The metric registry: what each stored number means, its kind and its labels."""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tongchou.errors import InputError, NotFound, Problem

Kind = Literal["cumulative", "daily", "stock", "rate"]
COUNT_KINDS = ("cumulative", "daily", "stock")


class Metric(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Kind
    unit: str
    label_zh: str
    label_en: str
    daily: str | None = None
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en


class _RegistryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metrics: list[Metric]


def normalise_header(text: str) -> str:
    """Header text as compared with aliases: lowercase, without spaces, underscores, dashes."""
    return re.sub(r"[\s_\-]+", "", str(text).strip().lower())


class MetricRegistry:
    def __init__(self, metrics: list[Metric]):
        self.metrics = {m.name: m for m in metrics}
        self._by_alias: dict[str, str] = {}
        for m in metrics:
            for alias in (m.name, *m.aliases):
                self._by_alias[normalise_header(alias)] = m.name
        self.cumulative_of = {m.daily: m.name for m in metrics if m.daily}

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def __iter__(self):
        return iter(self.metrics.values())

    def get(self, name: str) -> Metric:
        try:
            return self.metrics[name]
        except KeyError:
            raise NotFound(f"unknown metric {name!r}", suggestions=self.nearest(name)) from None

    def from_header(self, header: str) -> str | None:
        """The metric a column header stands for, or None."""
        return self._by_alias.get(normalise_header(header))

    def nearest(self, text: str, n: int = 3) -> list[str]:
        names = list(self._by_alias)
        found = difflib.get_close_matches(normalise_header(text), names, n=n, cutoff=0.5)
        return list(dict.fromkeys(self._by_alias[f] for f in found))


def load_registry(text: str, place: str) -> MetricRegistry:
    try:
        document = _RegistryFile.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        problems = [
            Problem(place, e["msg"], column=".".join(str(p) for p in e["loc"]))
            for e in exc.errors()
        ]
        raise InputError(problems) from None
    names = {m.name for m in document.metrics}
    for m in document.metrics:
        if m.daily and m.daily not in names:
            raise InputError(Problem(place, f"metric {m.name}: daily form {m.daily!r} unknown"))
    return MetricRegistry(document.metrics)


@cache
def builtin_metrics() -> MetricRegistry:
    text = resources.files("tongchou.facts").joinpath("metrics.yaml").read_text("utf-8")
    return load_registry(text, "metrics.yaml")
