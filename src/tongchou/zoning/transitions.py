"""The changes of a replay as a table, with reasons in words made row by row."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tongchou.zoning.reasons import number

if TYPE_CHECKING:
    from tongchou.zoning.replay import Replay

# Why a held level changed on a day (``Replay.cause``).
STAY, START, RISE, STEP_DOWN, FALL, OVERRIDE = range(6)
CAUSES = ("stay", "start", "rise", "step_down", "fall", "override")

_WORDS = {
    "en": {
        "step": "{note}: {run} days without {series} (rule {source} -> {target} after {after})",
        "override": "override by {person}: {reason}",
        "until": " (until {expiry})",
        "ended": "override by {person} ended; ",
    },
    "zh": {
        "step": "{note}：已连续{run}天无{series}（规则：{source}→{target}，{after}天）",
        "override": "{person}人工调整：{reason}",
        "until": "（至{expiry}）",
        "ended": "{person}的人工调整到期；",
    },
}


def transition_table(
    replay: Replay, lang: str = "en", reasons: bool = True, day: int | None = None
) -> pd.DataFrame:
    lang = "zh" if lang == "zh" else "en"
    level = replay.level
    changed = np.zeros(level.shape, dtype=bool)
    changed[:, 1:] = level[:, 1:] != level[:, :-1]
    if day is not None:
        # Words are made row by row: a caller asking for one day pays for that day only.
        changed[:, np.arange(level.shape[1]) != day % level.shape[1]] = False
    rows, days = np.nonzero(changed)
    c = replay.classification
    ids = np.array([*replay.ruleset.level_ids, None], dtype=object)
    table = pd.DataFrame(
        {
            "region": np.asarray(c._row_labels(), dtype=object)[rows] if len(rows) else [],
            "date": np.asarray(c._column_labels(), dtype=object)[days] if len(rows) else [],
            "from": ids[level[rows, days - 1]],
            "to": ids[level[rows, days]],
            "cause": np.asarray(CAUSES, dtype=object)[replay.cause[rows, days]],
        }
    )
    if not reasons:
        return table
    words = _WORDS[lang]
    texts = []
    for r, t in zip(rows.tolist(), days.tolist(), strict=True):
        cause = int(replay.cause[r, t])
        text = _ended(replay, r, t, words) if cause != OVERRIDE else ""
        if cause == STEP_DOWN:
            text += _step_text(replay, r, t, lang)
        elif cause == OVERRIDE:
            o = replay.overrides[int(replay.override[r, t])]
            text += words["override"].format(person=o.person, reason=o.reason)
            if o.expiry is not None:
                text += words["until"].format(expiry=o.expiry)
        else:
            text += c.reason(r, t, lang)
        texts.append(text)
    table["reason"] = texts
    return table


def _ended(replay: Replay, r: int, t: int, words: dict) -> str:
    before, now = int(replay.override[r, t - 1]), int(replay.override[r, t])
    if before >= 0 and now != before:
        return words["ended"].format(person=replay.overrides[before].person)
    return ""


def _step_text(replay: Replay, r: int, t: int, lang: str) -> str:
    ruleset = replay.ruleset
    rule = ruleset.step_downs[int(replay.rule[r, t])]
    series = ruleset.inputs[ruleset.without_new].label(lang)
    note = getattr(rule.note, lang) if rule.note is not None else ""
    return _WORDS[lang]["step"].format(
        note=note or ruleset.levels[rule.source].name(lang),
        run=number(int(replay.counted[r, t]), lang),
        series=series,
        source=ruleset.levels[rule.source].name(lang),
        target=ruleset.levels[rule.target].name(lang),
        after=rule.after_days,
    )
