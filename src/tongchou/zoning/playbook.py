"""Playbooks (精准施策): the measures that go with each level, by domain, in Chinese and
English, and the share of each sector's work allowed to resume (复工复产).

A playbook is a YAML file checked like a ruleset: its shape by Pydantic, then its meaning
(the levels must be those of its ruleset, every sector must be given a capacity at every
level, and a riskier level must not allow more work than a safer one).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from tongchou.errors import InputError, NotFound, Problem
from tongchou.zoning.document import read_yaml, validate_document
from tongchou.zoning.inputs import nearest_name
from tongchou.zoning.ruleset import Ruleset
from tongchou.zoning.ruleset_loading import builtin_rulesets, load_ruleset
from tongchou.zoning.ruleset_schema import Identifier, Label, Strict, Text

DOMAINS = ("prevention_focus", "movement", "work", "schools", "markets_services", "testing")
DOMAIN_LABELS = {
    "prevention_focus": ("防控重点", "prevention focus"),
    "movement": ("人员流动与交通", "movement and transport"),
    "work": ("复工复产", "work and production"),
    "schools": ("学校", "schools"),
    "markets_services": ("市场与生活服务", "markets and services"),
    "testing": ("检测与排查", "testing and case finding"),
}
# Playbooks shipped with tongchou, by the ruleset they follow.
DEFAULT_PLAYBOOKS = {"cn-2020-county": "cn-2020-differentiated", "cn-2022-area": "cn-2022-area"}


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PydanticCustomError("share", "expected a share between 0 and 1 (0.5 for half)")
    return float(value)


Share = Annotated[float, BeforeValidator(_share)]


class MeasureSpec(Strict):
    zh: Text
    en: Text


class WorkSpec(Strict):
    sector: Identifier
    capacity: Share
    zh: Text
    en: Text


class LevelMeasures(Strict):
    prevention_focus: list[MeasureSpec] = Field(min_length=1)
    movement: list[MeasureSpec]
    work: list[WorkSpec] = Field(min_length=1)
    schools: list[MeasureSpec]
    markets_services: list[MeasureSpec]
    testing: list[MeasureSpec]


class PlaybookFile(Strict):
    id: Identifier
    name: Label
    source: Text
    ruleset: Identifier
    notes: Text | None = None
    sectors: dict[Identifier, Label] = Field(min_length=1)
    levels: dict[Identifier, LevelMeasures] = Field(min_length=1)


@dataclass(frozen=True)
class Playbook:
    id: str
    name: Label
    source: str
    ruleset_id: str
    level_ids: tuple[str, ...]
    sectors: dict[str, Label]
    spec: PlaybookFile

    def measures(self, level: str, lang: str = "en") -> dict[str, list[str]]:
        """Measures of one level by domain, as text in ``lang``."""
        chosen = self.spec.levels.get(level)
        if chosen is None:
            raise InputError(
                Problem(
                    "level",
                    "not in the playbook",
                    value=level,
                    nearest=nearest_name(level, self.level_ids),
                )
            )
        key = "zh" if lang == "zh" else "en"
        out = {d: [getattr(m, key) for m in getattr(chosen, d)] for d in DOMAINS}
        out["work"] = [self._work_text(w, key) for w in chosen.work]
        return out

    def _work_text(self, work: WorkSpec, lang: str) -> str:
        sector = getattr(self.sectors[work.sector], lang)
        share = f"{work.capacity * 100:.0f}%"
        if lang == "zh":
            return f"{sector}：{work.zh}（可复工{share}）"
        return f"{sector}: {work.en} ({share} of work)"

    def capacity(self, sector: str) -> np.ndarray:
        """Share of the sector's work allowed at each level, in ruleset order."""
        if sector not in self.sectors:
            raise NotFound(f"unknown sector {sector!r}", suggestions=sorted(self.sectors))
        return np.array(
            [
                next(w.capacity for w in self.spec.levels[level].work if w.sector == sector)
                for level in self.level_ids
            ]
        )

    def work_capacity(self, levels: np.ndarray) -> dict[str, np.ndarray]:
        """For level indices (any shape), the allowed share of each sector's work; NaN where
        the level is undecided (-1)."""
        levels = np.asarray(levels)
        out = {}
        for sector in self.sectors:
            table = np.append(self.capacity(sector), np.nan)
            out[sector] = table[levels]
        return out

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Levels x domains, each cell the measures joined; for printing and bulletins."""
        sep = "；" if lang == "zh" else "; "
        rows = {
            level: {d: sep.join(m) for d, m in self.measures(level, lang).items()}
            for level in self.level_ids
        }
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.columns = [DOMAIN_LABELS[d][0 if lang == "zh" else 1] for d in frame.columns]
        return frame


def builtin_playbooks() -> list[str]:
    folder = resources.files("tongchou.zoning").joinpath("playbooks")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def playbook_for(ruleset: Ruleset | str) -> Playbook:
    """The playbook shipped for a built-in ruleset."""
    ruleset = load_ruleset(ruleset)
    name = DEFAULT_PLAYBOOKS.get(ruleset.id)
    if name is None:
        raise NotFound(
            f"no playbook ships with ruleset {ruleset.id!r}", suggestions=sorted(DEFAULT_PLAYBOOKS)
        )
    return load_playbook(name, ruleset)


def load_playbook(source: str | Path, ruleset: Ruleset | str | None = None) -> Playbook:
    """A playbook by built-in name or from a YAML file path, checked against ``ruleset``
    (default: the built-in ruleset the file names, when there is one)."""
    text = str(source)
    if isinstance(source, str) and "/" not in text and not text.endswith((".yaml", ".yml")):
        if text not in builtin_playbooks():
            raise NotFound(f"unknown playbook {text!r}", suggestions=builtin_playbooks())
        data, place = _builtin_document(text), f"{text}.yaml"
    else:
        data, place = read_yaml(Path(source), text), text
    spec = validate_document(PlaybookFile, data, place)
    if ruleset is None:
        ruleset = spec.ruleset if spec.ruleset in builtin_rulesets() else None
    ruleset = load_ruleset(ruleset) if ruleset is not None else None
    problems = check_playbook(spec, ruleset, place)
    if problems:
        raise InputError(problems)
    level_ids = ruleset.level_ids if ruleset is not None else tuple(spec.levels)
    return Playbook(spec.id, spec.name, spec.source, spec.ruleset, level_ids, spec.sectors, spec)


@cache
def _builtin_document(name: str) -> object:
    path = resources.files("tongchou.zoning").joinpath("playbooks", f"{name}.yaml")
    with resources.as_file(path) as real:
        return read_yaml(real, f"{name}.yaml")


def check_playbook(spec: PlaybookFile, ruleset: Ruleset | None, place: str) -> list[Problem]:
    """Problems of meaning: levels against the ruleset, sectors, and capacities by risk."""
    problems = []
    if ruleset is not None:
        for level in spec.levels:
            if level not in ruleset.level_ids:
                problems.append(
                    Problem(
                        f"{place}: levels.{level}",
                        f"unknown level for ruleset {ruleset.id}",
                        nearest=nearest_name(level, ruleset.level_ids),
                    )
                )
        for level in ruleset.level_ids:
            if level not in spec.levels:
                problems.append(
                    Problem(
                        f"{place}: levels",
                        f"missing level {level!r}",
                        expected=f"measures for every level of {ruleset.id}: "
                        + ", ".join(ruleset.level_ids),
                    )
                )
    for level, measures in spec.levels.items():
        seen: set[str] = set()
        for i, work in enumerate(measures.work):
            path = f"{place}: levels.{level}.work[{i}].sector"
            if work.sector not in spec.sectors:
                problems.append(
                    Problem(
                        path,
                        "unknown sector",
                        value=work.sector,
                        nearest=nearest_name(work.sector, spec.sectors),
                    )
                )
            elif work.sector in seen:
                problems.append(Problem(path, "sector given twice", value=work.sector))
            seen.add(work.sector)
        for sector in spec.sectors:
            if sector not in seen:
                problems.append(
                    Problem(f"{place}: levels.{level}.work", f"no capacity for sector {sector!r}")
                )
    if ruleset is not None and not problems:
        problems.extend(_capacity_order(spec, ruleset, place))
    return problems


def _capacity_order(spec: PlaybookFile, ruleset: Ruleset, place: str) -> list[Problem]:
    problems = []
    for sector in spec.sectors:
        caps = [
            next(w.capacity for w in spec.levels[level].work if w.sector == sector)
            for level in ruleset.level_ids
        ]
        for (lower, a), (higher, b) in zip(
            zip(ruleset.level_ids, caps, strict=True),
            list(zip(ruleset.level_ids, caps, strict=True))[1:],
            strict=False,
        ):
            if b > a:
                problems.append(
                    Problem(
                        f"{place}: levels.{higher}.work",
                        f"{sector}: higher risk allows more work than {lower!r} ({b:g} > {a:g})",
                        expected=f"a capacity of at most {a:g}",
                    )
                )
    return problems
