"""Response levels (一级/二级/三级/四级 响应): when a province may step its response down.

A province's emergency response level (1 = 一级, the highest, to 4 = 四级) is a decision of
the provincial government. In 2020 provinces lowered it as their counties' risk fell: this
module suggests a step down when a province has had no unit at a given zone level or above
(e.g. no high-risk county) for a set number of consecutive days, and gives the evidence.
It only suggests; the decision stays with the province.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tongchou.errors import InputError, Problem
from tongchou.zoning.inputs import nearest_name
from tongchou.zoning.ruleset import Ruleset
from tongchou.zoning.ruleset_loading import load_ruleset

_NUMERALS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


@dataclass(frozen=True)
class ResponseStep:
    """From response level ``source`` to ``target`` after ``days`` consecutive days with no
    unit at zone level ``absent`` or above."""

    source: int
    target: int
    absent: str
    days: int = 14


DEFAULT_STEPS = (ResponseStep(1, 2, "high", 14), ResponseStep(2, 3, "medium", 14))


@dataclass(frozen=True)
class ResponseSuggestion:
    """The evidence for one province on the last day of the counts."""

    province: object
    current: int
    suggested: int | None
    step: ResponseStep | None
    quiet_days: int
    quiet_since: object
    last_seen: object
    last_seen_units: int
    today: dict[str, int]
    undecided_today: int
    level_name: tuple[str, str] = ("", "")
    # Units undecided on ``last_seen``: the run was broken because they might have been at the
    # level, not because one was seen there.
    last_seen_undecided: int = 0

    def text(self, lang: str = "en") -> str:
        if self.step is None:
            if lang == "zh":
                return f"{_NUMERALS[self.current]}响应：无可适用的调整规则"
            return f"level {self.current} response: no step-down rule applies"
        zh_level, en_level = self.level_name
        days = self.step.days
        if self.suggested is not None:
            if lang == "zh":
                head = (
                    f"建议由{_NUMERALS[self.current]}响应调整为{_NUMERALS[self.suggested]}："
                    f"已连续{self.quiet_days}天无{zh_level}及以上地区"
                )
            else:
                head = (
                    f"step down from level {self.current} to level {self.suggested}: "
                    f"no {en_level} unit or above for {self.quiet_days} days"
                )
        elif lang == "zh":
            head = (
                f"维持{_NUMERALS[self.current]}响应：连续无{zh_level}及以上地区{self.quiet_days}天，"
                f"需{days}天"
            )
        else:
            head = (
                f"stay at level {self.current}: {self.quiet_days} days without a {en_level} "
                f"unit or above, {days} needed"
            )
        if self.last_seen is None:
            return head + ("（记录内从未出现）" if lang == "zh" else " (none on record)")
        if self.last_seen_units == 0 and self.last_seen_undecided:
            n, day = self.last_seen_undecided, self.last_seen
            if lang == "zh":
                return head + f"（最近一次：{day}，{n}个地区无法判定）"
            return head + f" (last: {n} undecided units on {day})"
        if lang == "zh":
            return head + f"（最近一次：{self.last_seen}，{self.last_seen_units}个）"
        return head + f" (last: {self.last_seen_units} on {self.last_seen})"


def count_units(
    levels: np.ndarray, province: np.ndarray, n_provinces: int, n_levels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Units at each level per province and day: counts (provinces, days, levels) and the
    undecided units (provinces, days). province: (units,) index of each unit's province."""
    levels = np.asarray(levels)
    province = np.asarray(province, dtype=np.intp)
    if (
        province.shape != (levels.shape[0],)
        or (province < 0).any()
        or (province >= n_provinces).any()
    ):
        raise InputError(
            Problem(
                "province",
                "needs one province index per unit, 0 .. n_provinces - 1",
                value=province.shape,
            )
        )
    n_days = levels.shape[1]
    day = np.broadcast_to(np.arange(n_days), levels.shape)
    cell = (province[:, None] * n_days + day) * (n_levels + 1) + np.where(
        levels < 0, n_levels, levels
    )
    flat = np.bincount(cell.ravel(), minlength=n_provinces * n_days * (n_levels + 1))
    table = flat.reshape(n_provinces, n_days, n_levels + 1)
    return table[:, :, :n_levels], table[:, :, n_levels]


def suggest_response(
    counts: np.ndarray,
    current: Sequence[int] | np.ndarray,
    ruleset: Ruleset | str,
    *,
    undecided: np.ndarray | None = None,
    steps: Sequence[ResponseStep] = DEFAULT_STEPS,
    dates: Sequence[dt.date] | None = None,
    provinces: Sequence | None = None,
) -> list[ResponseSuggestion]:
    """Suggestions for each province as of the last day of ``counts``.

    counts: (provinces, days, levels) units at each zone level of ``ruleset``.
    current: (provinces,) the response level in force, 1 (一级) .. 4 (四级).
    undecided: (provinces, days) units whose level is undecided; a day with any counts as a
        day the province may have had a unit at the level (the run is broken).
    """
    ruleset = load_ruleset(ruleset)
    counts = np.asarray(counts)
    current = np.asarray(current)
    problems = _check(counts, current, ruleset, steps, undecided)
    if problems:
        raise InputError(problems)
    n_provinces, n_days, _ = counts.shape
    waiting = (
        np.zeros((n_provinces, n_days), dtype=int) if undecided is None else np.asarray(undecided)
    )
    unsure = waiting > 0
    labels = list(dates) if dates is not None else list(range(n_days))
    names = list(provinces) if provinces is not None else list(range(n_provinces))
    ids = ruleset.level_ids
    out = []
    for p in range(n_provinces):
        step = next((s for s in steps if s.source == int(current[p])), None)
        today = {ids[k]: int(counts[p, -1, k]) for k in range(len(ids))}
        if step is None:
            out.append(
                ResponseSuggestion(
                    names[p],
                    int(current[p]),
                    None,
                    None,
                    0,
                    None,
                    None,
                    0,
                    today,
                    int(unsure[p, -1]),
                )
            )
            continue
        k = ids.index(step.absent)
        present = (counts[p, :, k:].sum(axis=1) > 0) | unsure[p]
        seen = np.flatnonzero(present)
        last = int(seen[-1]) if len(seen) else -1
        quiet = n_days - 1 - last
        level = ruleset.levels[k]
        out.append(
            ResponseSuggestion(
                province=names[p],
                current=int(current[p]),
                suggested=step.target if quiet >= step.days else None,
                step=step,
                quiet_days=quiet,
                quiet_since=labels[last + 1] if quiet > 0 else None,
                last_seen=labels[last] if last >= 0 else None,
                last_seen_units=int(counts[p, last, k:].sum()) if last >= 0 else 0,
                today=today,
                undecided_today=int(unsure[p, -1]),
                level_name=(level.name("zh"), level.name("en")),
                last_seen_undecided=int(waiting[p, last]) if last >= 0 else 0,
            )
        )
    return out


def _check(counts, current, ruleset: Ruleset, steps, undecided) -> list[Problem]:
    problems = []
    if counts.ndim != 3 or counts.shape[2] != len(ruleset.levels):
        problems.append(
            Problem(
                "counts",
                "wrong shape",
                value=counts.shape,
                expected=f"(provinces, days, {len(ruleset.levels)})",
            )
        )
        return problems
    if (counts < 0).any():
        problems.append(Problem("counts", "negative count", value=int(counts.min())))
    if current.shape != (counts.shape[0],):
        problems.append(
            Problem("current", "wrong shape", value=current.shape, expected=f"({counts.shape[0]},)")
        )
    elif not np.isin(current, [1, 2, 3, 4]).all():
        bad = current[~np.isin(current, [1, 2, 3, 4])][0]
        problems.append(Problem("current", "unknown response level", value=bad, expected="1 .. 4"))
    if undecided is not None and np.shape(undecided) != counts.shape[:2]:
        problems.append(
            Problem(
                "undecided",
                "wrong shape",
                value=np.shape(undecided),
                expected=str(counts.shape[:2]),
            )
        )
    for i, step in enumerate(steps):
        if step.absent not in ruleset.level_ids:
            problems.append(
                Problem(
                    f"steps[{i}].absent",
                    "unknown level",
                    value=step.absent,
                    nearest=nearest_name(step.absent, ruleset.level_ids),
                )
            )
        if not (1 <= step.source < step.target <= 4):
            problems.append(
                Problem(
                    f"steps[{i}]",
                    "a step down goes from a level to a lower one (1 -> 2)",
                    value=(step.source, step.target),
                )
            )
        if isinstance(step.days, bool) or not isinstance(step.days, int) or step.days < 1:
            problems.append(
                Problem(f"steps[{i}].days", "expected a positive integer", value=step.days)
            )
    return problems
