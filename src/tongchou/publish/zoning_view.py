"""The zones of a bulletin (分区分级): each unit's risk level and why, the changes since the day
before, the units per level and the measures of each level, in Chinese and English, from the
zoning service (tongchou.services.zones) run on the bulletin's own assessment.

Units are zoned at their own level of the tree with their own series: provinces as provinces,
prefecture-level units as such, counties as counties; a unit without reports of its own is
undecided, never placed low.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine

from tongchou.errors import NotFound
from tongchou.services import zones as zone_service
from tongchou.services.situation import Assessment
from tongchou.zoning import DEFAULT_RULESET, Ruleset, load_ruleset, playbook_for
from tongchou.zoning.playbook import DOMAIN_LABELS, DOMAINS

LANGS = ("zh", "en")


@dataclass(frozen=True)
class ZoneView:
    """Levels are indices into `levels` (lowest risk first); -1: undecided."""

    ruleset: dict
    levels: list[dict]
    codes: list[str]
    level: np.ndarray
    previous: np.ndarray
    reasons: dict[str, dict[str, str]]
    changes: list[dict]
    counts: dict[int, dict[str, int]]
    measures: dict | None
    proxy: dict | None

    def level_of(self) -> dict[str, int]:
        return dict(zip(self.codes, self.level.tolist(), strict=True))


def zonings(
    assessment: Assessment,
    codes_by_depth: dict[int, list[str]],
    ruleset: str | Ruleset = DEFAULT_RULESET,
    engine: Engine | None = None,
) -> dict[int, zone_service.Zoning]:
    """The zoning service's levels, every day, of the units given by depth (each depth zoned
    with its own series); one run serves the bulletins of every day of the assessment. The
    store (`engine`) adds recorded clusters and the overrides decided by a person."""
    rules = load_ruleset(ruleset)
    out = {
        depth: zone_service.zone(
            assessment, assessment.as_of, ruleset=rules, codes=units, engine=engine
        )
        for depth, units in sorted(codes_by_depth.items())
        if units
    }
    if not out:
        raise NotFound("no units to zone inside the bulletin's region")
    return out


def zone_view(zoned: dict[int, zone_service.Zoning], date: dt.date) -> ZoneView:
    """The zones on `date` of the units zoned (see `zonings`)."""
    codes, level, previous, reasons, changes, counts = [], [], [], {}, [], {}
    for depth, zoning in zoned.items():
        t = zoning.day(date)
        today = zoning.level[:, t]
        before = zoning.level[:, t - 1] if t > 0 else np.full_like(today, -1)
        codes += list(zoning.codes)
        level.append(today)
        previous.append(before)
        for row in np.flatnonzero(today >= 0):
            reasons[zoning.codes[row]] = {lang: zoning.reason(int(row), t, lang) for lang in LANGS}
        changes += _changes(zoning, date, depth)
        slots = np.bincount(
            np.where(today < 0, len(zoning.ruleset.levels), today),
            minlength=len(zoning.ruleset.levels) + 1,
        )
        counts[depth] = dict(
            zip([*zoning.ruleset.level_ids, "undecided"], slots.tolist(), strict=True)
        )
    rules = next(iter(zoned.values())).ruleset
    return ZoneView(
        ruleset={"id": rules.id, "zh": rules.name.zh, "en": rules.name.en, "source": rules.source},
        levels=[{"id": lv.id, "zh": lv.name("zh"), "en": lv.name("en")} for lv in rules.levels],
        codes=codes,
        level=np.concatenate(level),
        previous=np.concatenate(previous),
        reasons=reasons,
        changes=changes,
        counts=counts,
        measures=_measures(rules),
        proxy=_proxy(rules),
    )


def _changes(zoning, date: dt.date, depth: int) -> list[dict]:
    zh, en = (zone_service.zone_changes(zoning, date, lang) for lang in LANGS)
    return [
        {
            "code": row["region"],
            "depth": depth,
            "from": row["from"],
            "to": row["to"],
            "direction": row["direction"],
            "reason": {"zh": zh_reason, "en": row["reason"]},
        }
        for row, zh_reason in zip(en.to_dict("records"), zh["reason"], strict=True)
    ]


def _measures(ruleset) -> dict | None:
    """The playbook that goes with the ruleset: each level's measures by domain; None for a
    ruleset without one."""
    try:
        playbook = playbook_for(ruleset)
    except NotFound:
        return None
    texts = {lang: {lv: playbook.measures(lv, lang) for lv in playbook.level_ids} for lang in LANGS}
    return {
        "name": {"zh": playbook.name.zh, "en": playbook.name.en},
        "source": playbook.source,
        "domains": [
            {"id": d, "zh": DOMAIN_LABELS[d][0], "en": DOMAIN_LABELS[d][1]} for d in DOMAINS
        ],
        "levels": {
            lv: {d: {lang: texts[lang][lv][d] for lang in LANGS} for d in DOMAINS}
            for lv in playbook.level_ids
        },
    }


def _proxy(ruleset) -> dict | None:
    proxy = ruleset.proxies.get(zone_service.CLUSTERS)
    if proxy is None:
        return None
    return {"zh": proxy.label.zh, "en": proxy.label.en}
