"""Reasons in words, Chinese or English, made only for the rows asked for.

"high risk: cumulative 46,607 > 50 and a cluster within 14 days (proxy: >= 3 new confirmed
cases within 7 days)". A test's own ``label`` in the ruleset, when given, supplies the words,
with ``{value}`` and ``{threshold}`` filled in; otherwise words are made from the measure.
Any reason resting on a proxied series says so; so does every other reason of a result that
used a proxy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from tongchou.zoning.inputs import BASE_INPUTS, InputSpec
from tongchou.zoning.ruleset import Node, Test

if TYPE_CHECKING:
    from tongchou.zoning.classify import Classification

_WORDS = {
    "en": {
        "and": " and ",
        "default": "{level} (default): no condition of a higher level held",
        "undecided": "undecided: cannot tell whether {level} applies; missing: {tests}",
        "missing": "{phrase}",
        "proxy": " (proxy: {label})",
        "proxy_note": "; {series} stood in for by a proxy ({label}), not observed",
        "absent": "; not given, so not counted: {series}",
        "at_least": "at least {value}",
    },
    "zh": {
        "and": "，且",
        "default": "{level}（默认）：更高等级的条件均不满足",
        "undecided": "无法判定：能否定为{level}缺少数据：{tests}",
        "missing": "{phrase}缺失",
        "proxy": "（代用指标：{label}）",
        "proxy_note": "；{series}为代用指标（{label}），非实际观测",
        "absent": "；未提供、不计入：{series}",
        "at_least": "≥{value}",
    },
}
_SYMBOLS = {"en": (">", ">=", "<", "<=", "="), "zh": (">", "≥", "<", "≤", "=")}


def render_reason(c: Classification, region: int, day: int, lang: str = "en") -> str:
    words = _WORDS["zh" if lang == "zh" else "en"]
    lang = "zh" if lang == "zh" else "en"
    at = (region, day)
    level_index = int(c.level[at])
    mentioned: set[str] = set()
    if level_index < 0:
        pending = c.ruleset.levels[int(c.undecided[at])]
        unknown = [i for i in pending.when.tests() if c.truth[(i, *at)] == -1]
        missing = [phrase(c.ruleset.tests[i], lang, c.ruleset.inputs) for i in unknown]
        tests = "; ".join(words["missing"].format(phrase=p) for p in dict.fromkeys(missing))
        text = words["undecided"].format(level=pending.name(lang), tests=tests)
        # A missing proxied series is named without its proxy here; the note below says so.
        mentioned = {c.ruleset.tests[i].measure.input for i in unknown} - set(c.proxied)
    elif c.clause[at] < 0:
        text = words["default"].format(level=c.ruleset.levels[level_index].name(lang))
    else:
        level = c.ruleset.levels[level_index]
        used = _deciding(level.when, c.truth[(slice(None), *at)])
        mentioned = {c.ruleset.tests[i].measure.input for i in used}
        parts = [_test_text(c, c.ruleset.tests[i], at, lang) for i in used]
        text = f"{level.name(lang)}: " if lang == "en" else f"{level.name(lang)}："
        text += words["and"].join(parts)
    absent = sorted(
        {
            c.ruleset.inputs[t.measure.input].label(lang)
            for t in c.ruleset.tests
            if c.absent[(t.index, *at)]
        }
    )
    if absent:
        text += words["absent"].format(series=", ".join(absent))
    for name in c.proxied:
        if name not in mentioned:
            proxy = c.ruleset.proxies[name]
            text += words["proxy_note"].format(
                series=c.ruleset.inputs[name].label(lang), label=getattr(proxy.label, lang)
            )
    return text


def explain(c: Classification, region: int, day: int) -> dict:
    """The decision for one region and day as plain data (for JSON and bulletins)."""
    at = (region, day)
    level_index = int(c.level[at])
    if level_index >= 0:
        condition = c.ruleset.levels[level_index].when if c.clause[at] >= 0 else None
    else:
        condition = c.ruleset.levels[int(c.undecided[at])].when
    tests = condition.tests() if condition is not None else []
    return {
        "level": c.ruleset.level_ids[level_index] if level_index >= 0 else None,
        "clause": int(c.clause[at]),
        "default": bool(level_index >= 0 and c.clause[at] < 0),
        "undecided_level": c.ruleset.level_ids[int(c.undecided[at])] if level_index < 0 else None,
        "tests": [_test_record(c, c.ruleset.tests[i], at) for i in tests],
        "proxied": list(c.proxied),
        "day": int(c.days[day]),
        "date": c.dates[day].isoformat() if c.dates is not None else None,
        "region": c.regions[region] if c.regions is not None else region,
    }


def phrase(test: Test, lang: str, inputs: Mapping[str, InputSpec] = BASE_INPUTS) -> str:
    """What a test measures, in words: "new confirmed cases in 14 days" / "14天内新增确诊"."""
    m = test.measure
    from_inputs = inputs[m.input].label(lang) if m.input in inputs else m.input
    w = m.window
    if lang == "zh":
        rate = "每10万人" if m.per_100k else ""
        return {
            "last": f"{rate}{from_inputs}",
            "sum": f"{w}天内{rate}{from_inputs}",
            "mean": f"{w}天日均{rate}{from_inputs}",
            "max": f"{w}天内单日最高{rate}{from_inputs}",
            "min": f"{w}天内单日最低{rate}{from_inputs}",
            "count_positive": f"{w}天内有{from_inputs}的天数",
            "days_since_positive": f"连续无{from_inputs}天数",
        }[m.stat]
    rate = " per 100,000" if m.per_100k else ""
    return {
        "last": f"{from_inputs}{rate}",
        "sum": f"{from_inputs}{rate} in {w} days",
        "mean": f"daily {from_inputs}{rate}, {w}-day average",
        "max": f"highest daily {from_inputs}{rate} in {w} days",
        "min": f"lowest daily {from_inputs}{rate} in {w} days",
        "count_positive": f"days with {from_inputs} in the last {w}",
        "days_since_positive": f"days without {from_inputs}",
    }[m.stat]


def number(x: float, lang: str = "en", percent: bool = False) -> str:
    """46607 -> '46,607' (en) or '46607' (zh); shares as percentages when ``percent``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if math.isinf(x):
        return "∞"
    if percent:
        return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"
    if float(x).is_integer():
        return f"{int(x):,}" if lang == "en" else str(int(x))
    text = f"{x:,.2f}" if lang == "en" else f"{x:.2f}"
    return text.rstrip("0").rstrip(".")


def threshold_text(test: Test, lang: str) -> str:
    fmt = lambda x: number(x, lang, test.percent)  # noqa: E731
    if test.lower == test.upper:
        return fmt(test.lower)
    if math.isinf(test.upper):
        return fmt(test.lower)
    if math.isinf(test.lower):
        return fmt(test.upper)
    left = "[" if test.lower_inclusive else "("
    right = "]" if test.upper_inclusive else ")"
    return f"{left}{fmt(test.lower)}, {fmt(test.upper)}{right}"


def comparison_symbol(test: Test, lang: str) -> str:
    above, at_least, below, at_most, equals = _SYMBOLS[lang]
    if test.lower == test.upper:
        return equals
    if math.isinf(test.upper):
        return at_least if test.lower_inclusive else above
    if math.isinf(test.lower):
        return at_most if test.upper_inclusive else below
    return "∈" if lang == "en" else "在"


def _deciding(node: Node, truth: np.ndarray) -> list[int]:
    """Tests that make a condition hold: all parts of ``all``, the first true part of ``any``."""
    if node.kind == "test":
        return [node.test]
    if node.kind == "all":
        return [t for child in node.children for t in _deciding(child, truth)]
    for child in node.children:
        if _holds(child, truth):
            return _deciding(child, truth)
    return []


def _holds(node: Node, truth: np.ndarray) -> bool:
    if node.kind == "test":
        return truth[node.test] == 1
    parts = [_holds(child, truth) for child in node.children]
    return all(parts) if node.kind == "all" else any(parts)


def _test_text(c: Classification, test: Test, at: tuple[int, int], lang: str) -> str:
    value = float(c.values[(test.index, *at)])
    shown = number(value, lang, test.percent)
    if c.censored[(test.index, *at)]:
        shown = _WORDS[lang]["at_least"].format(value=shown)
    if test.label is not None:
        text = getattr(test.label, lang).format(value=shown, threshold=threshold_text(test, lang))
    else:
        gap = " " if lang == "en" else ""
        text = (
            f"{phrase(test, lang, c.ruleset.inputs)}{':' if lang == 'en' else ''}{gap}{shown} "
            f"{comparison_symbol(test, lang)} {threshold_text(test, lang)}"
        )
    if test.measure.input in c.proxied:
        proxy = c.ruleset.proxies[test.measure.input]
        text += _WORDS[lang]["proxy"].format(label=getattr(proxy.label, lang))
    return text


def _test_record(c: Classification, test: Test, at: tuple[int, int]) -> dict:
    value = float(c.values[(test.index, *at)])
    truth = int(c.truth[(test.index, *at)])
    m = test.measure
    return {
        "path": test.path,
        "indicator": m.input,
        "stat": m.stat,
        "window": m.window,
        "per_100k": m.per_100k,
        "value": None if math.isnan(value) else value,
        "at_least": bool(c.censored[(test.index, *at)]),
        "holds": None if truth < 0 else bool(truth),
        "absent": bool(c.absent[(test.index, *at)]),
        "proxy": m.input in c.proxied,
        "text_en": _test_text(c, test, at, "en"),
        "text_zh": _test_text(c, test, at, "zh"),
    }
