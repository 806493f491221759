"""Decisions around the zones: stored replays of levels, overrides by a named person,
provincial response levels and their step-down suggestions, and each region's sheet of
measures (精准施策).

    replay_zones(engine, dt.date(2020, 2, 1), dt.date(2020, 3, 31))   # store levels, day by day
    add_override(engine, "420100", "high", reason="...", person="...", start=...)
    region_measures(engine, "武汉", dt.date(2020, 2, 23), lang="zh")
    suggest_response_levels(engine, dt.date(2020, 3, 10))
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tongchou.errors import InputError, NotFound, Problem
from tongchou.services.regions import stored_regions
from tongchou.services.zones import (
    DEFAULT_LEVEL,
    Zoning,
    none_for_missing,
    provinces_of,
    zone,
)
from tongchou.store import zones as zone_store
from tongchou.store.days import from_day, to_day
from tongchou.store.regions import region_ids
from tongchou.zoning import (
    CAUSES,
    DEFAULT_RULESET,
    DEFAULT_STEPS,
    Playbook,
    ResponseStep,
    count_units,
    load_playbook,
    load_ruleset,
    playbook_for,
    suggest_response,
)
from tongchou.zoning.playbook import DOMAIN_LABELS

log = logging.getLogger(__name__)

RESPONSE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_RESPONSE_WORDS = {
    **{str(k): k for k in RESPONSE_NAMES},
    **{name: k for k, name in RESPONSE_NAMES.items()},
    **{name[0]: k for k, name in RESPONSE_NAMES.items()},
    **{roman: k for k, roman in zip(RESPONSE_NAMES, ("I", "II", "III", "IV"), strict=True)},
}


# --- stored replays ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayReport:
    run_id: int
    zoning: Zoning
    start: dt.date
    end: dt.date
    rows: int
    replaced: int
    transitions: pd.DataFrame
    counts: pd.DataFrame


def replay_zones(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    *,
    ruleset: str = DEFAULT_RULESET,
    level: str = DEFAULT_LEVEL,
    within: str | None = None,
    person: str | None = None,
    lang: str = "en",
) -> ReplayReport:
    """Levels of every unit on each day from ``start`` to ``end`` (step-down rules and stored
    overrides applied, data as known on ``end``), stored under the ruleset: a period replayed
    again replaces its levels for these units, in one transaction. The replay runs from the
    first stored day, so that a period's levels do not depend on where it starts."""
    if end < start:
        raise InputError(Problem("--to", "the period ends before it starts", value=str(end),
                                 expected=f"{start} or later"))  # fmt: skip
    zoning = zone(engine, end, ruleset=ruleset, level=level, within=within)
    first, last = zoning.day(start), zoning.day(end)
    transitions = _transitions(zoning, start, end, lang)
    frame = _level_rows(zoning, first, last, transitions)
    with engine.begin() as connection:
        ids = region_ids(connection)
        frame["region_id"] = frame.pop("region").map(ids)
        run_id = zone_store.add_run(
            connection,
            ruleset=zoning.ruleset.id,
            unit_level=str(level),
            first_day=to_day(start),
            last_day=to_day(end),
            as_of_day=to_day(end),
            units=len(zoning.codes),
            clusters=_clusters_note(zoning),
            computed_by=person or getpass.getuser(),
        )
        frame["run_id"] = run_id
        frame["ruleset"] = zoning.ruleset.id
        replaced = zone_store.replace_levels(
            connection, zoning.ruleset.id, to_day(start), to_day(end),
            [ids[c] for c in zoning.codes], frame,
        )  # fmt: skip
    log.info("zone run %d: %d rows stored, %d replaced", run_id, len(frame), replaced)
    counts = _daily_counts(zoning, first, last)
    return ReplayReport(run_id, zoning, start, end, len(frame), replaced, transitions, counts)


def _daily_counts(zoning: Zoning, first: int, last: int) -> pd.DataFrame:
    """Units at each level (and undecided) on each day of [first, last]."""
    held = zoning.level[:, first : last + 1]
    columns = {k: (held == i).sum(axis=0) for i, k in enumerate(zoning.ruleset.level_ids)}
    columns["undecided"] = (held < 0).sum(axis=0)
    return pd.DataFrame(columns, index=pd.Index(zoning.dates[first : last + 1], name="date"))


def _transitions(zoning: Zoning, start: dt.date, end: dt.date, lang: str) -> pd.DataFrame:
    tables = []
    for _, result in zoning.parts:
        table = result.transitions(lang)
        tables.append(table[(table["date"] >= start) & (table["date"] <= end)])
    table = none_for_missing(pd.concat(tables, ignore_index=True), ["from", "to"])
    table.insert(1, "name", [zoning.regions.name(c, lang) for c in table["region"]])
    return table.sort_values(["date", "region"], ignore_index=True)


def _level_rows(zoning: Zoning, first: int, last: int, transitions: pd.DataFrame):
    """One row per unit and day of [first, last], in the columns of the store."""
    ids = np.array([*zoning.ruleset.level_ids, None], dtype=object)
    span = slice(first, last + 1)
    n_units, n_days = len(zoning.codes), last - first + 1
    clause = np.zeros((n_units, n_days), dtype=np.int64)
    cause = np.zeros((n_units, n_days), dtype=np.int64)
    rule = np.zeros((n_units, n_days), dtype=np.int64)
    for rows, result in zoning.parts:
        clause[rows] = result.classification.clause[:, span]
        cause[rows] = result.cause[:, span]
        rule[rows] = result.rule[:, span]
    days = np.array([to_day(d) for d in zoning.dates[span]])
    frame = pd.DataFrame(
        {
            "region": np.repeat(np.asarray(zoning.codes, dtype=object), n_days),
            "day": np.tile(days, n_units),
            "level": ids[zoning.level[:, span]].ravel(),
            "computed": ids[zoning.computed[:, span]].ravel(),
            "classified": ids[zoning.classified[:, span]].ravel(),
            "clause": clause.ravel(),
            "cause": np.asarray(CAUSES, dtype=object)[cause].ravel(),
            "step_rule": np.where(rule >= 0, rule, np.nan).ravel(),
            "override_id": np.where(
                zoning.override[:, span] >= 0, zoning.override[:, span], np.nan
            ).ravel(),  # fmt: skip
            "clusters_proxy": np.repeat(zoning.proxied, n_days),
        }
    )
    reasons = {(r.region, to_day(r.date)): r.reason for r in transitions.itertuples()}
    frame["reason"] = [reasons.get(key) for key in zip(frame["region"], frame["day"], strict=True)]
    for column in ("step_rule", "override_id"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _clusters_note(zoning: Zoning) -> str:
    proxied = int(zoning.proxied.sum())
    return f"observed for {len(zoning.codes) - proxied} units, proxy for {proxied}"


def stored_zones(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    *,
    ruleset: str = DEFAULT_RULESET,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Stored levels over a period: one row per unit and day, with the deciding clause, the
    cause of a change and its reason, the override in force and the run that wrote it."""
    with engine.connect() as connection:
        table = zone_store.read_levels(connection, ruleset, to_day(start), to_day(end), codes)
    table.insert(1, "date", [from_day(d) for d in table.pop("day")])
    return table


# --- overrides -----------------------------------------------------------------------------


def add_override(
    engine: Engine,
    region: str,
    level: str,
    *,
    reason: str,
    person: str,
    start: dt.date,
    until: dt.date | None = None,
    ruleset: str = DEFAULT_RULESET,
) -> int:
    """Store a person's decision to hold ``region`` at ``level`` from ``start`` to ``until``
    (inclusive; None: until withdrawn), with the reason; its id. Nothing is stored when any
    part is wrong."""
    rules = load_ruleset(ruleset)
    code = stored_regions(engine).lookup(region)
    problems = []
    if not (reason or "").strip():
        problems.append(Problem("--reason", "an override needs a reason", expected="text"))
    if not (person or "").strip():
        problems.append(
            Problem("--person", "an override needs the person who decided it", expected="a name")
        )
    try:
        rules.level_index(level, "--level")
    except InputError as exc:
        problems.extend(exc.problems)
    if until is not None and until < start:
        problems.append(
            Problem("--until", "ends before --from", value=str(until), expected=f">= {start}")
        )
    if problems:
        raise InputError(problems, hint="nothing was stored")
    with engine.begin() as connection:
        return zone_store.add_override(
            connection, ruleset=rules.id, region_id=region_ids(connection)[code], level=level,
            reason=reason.strip(), person=person.strip(), start_day=to_day(start),
            until_day=None if until is None else to_day(until),
        )  # fmt: skip


def withdraw_override(
    engine: Engine, override_id: int, *, person: str, reason: str, start: dt.date | None = None
) -> None:
    """Withdraw an override from ``start`` on (None: altogether); who and why are kept."""
    problems = []
    if not (person or "").strip():
        problems.append(Problem("--person", "a withdrawal needs the person who decided it"))
    if not (reason or "").strip():
        problems.append(Problem("--reason", "a withdrawal needs a reason"))
    if problems:
        raise InputError(problems, hint="nothing was changed")
    with engine.begin() as connection:
        zone_store.withdraw_override(
            connection, override_id, person=person.strip(), reason=reason.strip(),
            from_day=None if start is None else to_day(start),
        )  # fmt: skip


def override_table(engine: Engine, ruleset: str | None = None) -> pd.DataFrame:
    """Every override with its audit: who, when entered, why, from and until which day, and
    any withdrawal."""
    with engine.connect() as connection:
        table = zone_store.read_overrides(connection, ruleset)
    for column in ("start_day", "until_day", "withdrawn_from_day"):
        table[column.replace("_day", "")] = [
            None if pd.isna(d) else from_day(int(d)) for d in table.pop(column)
        ]
    return table.set_index("id")


# --- measures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionMeasures:
    """A region's sheet of measures on a day: its level, why, and the playbook's measures."""

    code: str
    name: str
    as_of: dt.date
    ruleset: str
    level: str | None
    label: str
    reason: str
    computed: str | None
    override: int | None
    playbook: Playbook | None
    measures: dict[str, list[str]]

    def frame(self, lang: str = "en") -> pd.DataFrame:
        """Domain and measure, one row per measure."""
        rows = [
            (DOMAIN_LABELS[domain][0 if lang == "zh" else 1], text)
            for domain, texts in self.measures.items()
            for text in texts
        ]
        return pd.DataFrame(rows, columns=["domain", "measure"])


def region_measures(
    engine: Engine,
    region: str,
    as_of: dt.date,
    *,
    ruleset: str = DEFAULT_RULESET,
    playbook: str | Path | None = None,
    lang: str = "en",
) -> RegionMeasures:
    """The sheet of measures for a region's level on a day (the ruleset's playbook unless
    another is named). An undecided level gets no sheet (``level`` None) and says why."""
    rules = load_ruleset(ruleset)
    regions = stored_regions(engine)
    code = regions.lookup(region)
    book = load_playbook(playbook, rules) if playbook is not None else playbook_for(rules)
    kind = str(regions.frame.at[code, "kind"])
    zoning = zone(engine, as_of, ruleset=rules, codes=[code], level=kind)
    t = zoning.day()
    index = int(zoning.level[0, t])
    level = rules.level_ids[index] if index >= 0 else None
    computed = int(zoning.computed[0, t])
    override = int(zoning.override[0, t])
    return RegionMeasures(
        code=code,
        name=zoning.regions.full_name(code, lang),
        as_of=as_of,
        ruleset=rules.id,
        level=level,
        label=zoning.level_names(lang)[index],
        reason=zoning.reason(0, t, lang),
        computed=rules.level_ids[computed] if computed >= 0 else None,
        override=override if override >= 0 else None,
        playbook=book,
        measures=book.measures(level, lang) if level is not None else {},
    )


# --- response levels -----------------------------------------------------------------------


def parse_response_level(text: str | int) -> int:
    """1..4 from '1', '一级', '一', 'I' ..; InputError otherwise."""
    found = _RESPONSE_WORDS.get(str(text).strip().upper().removesuffix("响应"))
    if found is None:
        raise InputError(
            Problem("LEVEL", "unknown response level", value=str(text),
                    expected="1, 2, 3 or 4 (一级 .. 四级)")
        )  # fmt: skip
    return found


def _province(engine: Engine, text: str) -> str:
    regions = stored_regions(engine)
    code = regions.lookup(text)
    if regions.frame.at[code, "depth"] != 1:
        raise InputError(
            Problem("PROVINCE", "not a province", value=f"{code} {regions.full_name(code)}",
                    expected="a province (depth 1), e.g. 湖北 or 420000")
        )  # fmt: skip
    return code


def set_response_level(
    engine: Engine,
    province: str,
    level: str | int,
    *,
    start: dt.date,
    person: str,
    note: str | None = None,
) -> int:
    """Record a province's emergency response level from ``start`` on; its id."""
    value = parse_response_level(level)
    code = _province(engine, province)
    if not (person or "").strip():
        raise InputError(Problem("--person", "a response level needs the person who set it"))
    with engine.begin() as connection:
        return zone_store.add_response_level(
            connection, region_id=region_ids(connection)[code], level=value,
            start_day=to_day(start), person=person.strip(), note=note,
        )  # fmt: skip


def response_levels_on(engine: Engine, as_of: dt.date, lang: str = "en") -> pd.DataFrame:
    """The response level in force in each province with a record on ``as_of``: the latest
    record (by start day, then by entry) starting on or before that day."""
    with engine.connect() as connection:
        table = zone_store.read_response_levels(connection)
    table = table[table["start_day"] <= to_day(as_of)]
    table = table.sort_values(["start_day", "id"]).groupby("region").tail(1)
    regions = stored_regions(engine)
    return pd.DataFrame(
        {
            "name": [regions.name(c, lang) for c in table["region"]],
            "level": table["level"].to_numpy(),
            "response": [RESPONSE_NAMES[int(v)] for v in table["level"]],
            "since": [from_day(int(d)) for d in table["start_day"]],
            "person": table["person"].to_numpy(),
        },
        index=pd.Index(table["region"], name="province"),
    ).sort_index()


def suggest_response_levels(
    engine: Engine,
    as_of: dt.date,
    *,
    ruleset: str = DEFAULT_RULESET,
    level: str = DEFAULT_LEVEL,
    days: int | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """For each province with a response level in force: whether to step down (一级 -> 二级
    after ``days`` days without a high-risk unit, 二级 -> 三级 without a medium-risk one;
    default 14), with the evidence, from the zones of its units at ``level``."""
    current = response_levels_on(engine, as_of, lang)
    if current.empty:
        raise NotFound(
            f"no response level is recorded for any province on {as_of}; record one with "
            "`tongchou response set PROVINCE LEVEL --from DAY --person NAME`"
        )
    steps = DEFAULT_STEPS if days is None else [
        ResponseStep(s.source, s.target, s.absent, days) for s in DEFAULT_STEPS
    ]  # fmt: skip
    zoning = zone(engine, as_of, ruleset=ruleset, level=level)
    provinces = list(current.index)
    home = pd.Index(provinces).get_indexer(provinces_of(zoning.regions, zoning.codes))
    inside = home >= 0
    counts, undecided = count_units(
        zoning.level[inside], home[inside], len(provinces), len(zoning.ruleset.levels)
    )
    found = suggest_response(
        counts, current["level"].to_numpy(), zoning.ruleset, undecided=undecided,
        steps=steps, dates=zoning.dates, provinces=provinces,
    )  # fmt: skip
    return pd.DataFrame(
        {
            "name": current["name"].to_numpy(),
            "current": [RESPONSE_NAMES[s.current] for s in found],
            "suggested": [RESPONSE_NAMES.get(s.suggested, "") for s in found],
            "quiet_days": [s.quiet_days for s in found],
            "last_seen": [s.last_seen for s in found],
            "units_today": [", ".join(f"{k} {v}" for k, v in s.today.items()) for s in found],
            "evidence": [s.text(lang) for s in found],
        },
        index=pd.Index(provinces, name="province"),
    )
