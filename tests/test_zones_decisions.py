"""Zoning wired to the store, on a small hand-made epidemic (SQLite and PostgreSQL).

The tree is X > A (A1, A2), B. Reports from 1 to 30 January 2020 (day 0 .. 29):
- A1: 6 new confirmed cases a day on days 3..12 (cumulative 6 .. 60), none after;
- A2: no case; B: one case on day 20 and one on day 24.
Under cn-2020-county (county units): A1 is medium from day 3 (cumulative <= 50), high from day
11 (cumulative 54 > 50 and the cluster proxy: >= 3 new cases within 7 days), and low from day
26 (14 days without a new case, days 13..26); A2 is low (no case); B medium from day 20.
"""

import datetime as dt

import pandas as pd
import pytest

from tongchou.errors import Conflict, InputError, NotFound
from tongchou.ingest.importer import import_file
from tongchou.services import zone_decisions as decisions
from tongchou.services.situation import assess
from tongchou.services.zones import zone, zone_changes, zone_table
from tongchou.store import zones as zone_store

JAN = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in range(30)]
LAST = JAN[-1]


def day(d: int) -> dt.date:
    return JAN[d]


@pytest.fixture
def epidemic(tiny_store, tmp_path):
    new = {"A1": [6 if 3 <= d <= 12 else 0 for d in range(30)], "A2": [0] * 30,
           "B": [1 if d in (20, 24) else 0 for d in range(30)]}  # fmt: skip
    rows = []
    for region, counts in new.items():
        total = 0
        for d, n in enumerate(counts):
            total += n
            rows.append((region, JAN[d].isoformat(), "confirmed", total))
    path = tmp_path / "reports.csv"
    pd.DataFrame(rows, columns=["region", "date", "metric", "value"]).to_csv(path, index=False)
    import_file(tiny_store, path)
    return tiny_store


def levels(engine, region: str, ruleset: str = "cn-2020-county", as_of=LAST) -> list:
    z = zone(engine, as_of, ruleset=ruleset, level="county")
    return z.level[z.codes.index(region)].tolist()


def test_levels_and_reasons_by_hand(epidemic):
    a1 = levels(epidemic, "A1")
    assert a1 == [0] * 3 + [1] * 8 + [2] * 15 + [0] * 4
    z = zone(epidemic, LAST, level="county")
    table = zone_table(z, day(11))
    assert table.loc["A1", "reason"] == (
        "high risk: cumulative 54 > 50 and a cluster within 14 days "
        "(proxy: >= 3 new confirmed cases within 7 days)"
    )
    assert table.loc["A2", "level"] == "low" and "no confirmed case" in table.loc["A2", "reason"]
    assert table.loc["A1", "confirmed_new_14d"] == 54
    assert (table["clusters"] == "proxy: >= 3 new confirmed cases within 7 days").all()
    changes = zone_changes(z, day(26))
    assert changes[["region", "from", "to", "direction"]].values.tolist() == [
        ["A1", "high", "low", "down"]
    ]


def test_recorded_clusters_replace_the_proxy_for_units_that_have_them(epidemic, tmp_path):
    path = tmp_path / "clusters.csv"
    path.write_text(f"region,date,metric,value\nA1,{day(8)},clusters_new,1\n")
    import_file(epidemic, path)
    # The cluster of day 8 is within 14 days up to day 21; on days 22..25 A1 has new cases
    # within 14 days, more than 50 in all, and no cluster: medium. The proxy kept it high.
    assert levels(epidemic, "A1") == [0] * 3 + [1] * 8 + [2] * 11 + [1] * 4 + [0] * 4
    table = zone_table(zone(epidemic, LAST, level="county"), day(15))
    assert table.loc["A1", "clusters"] == "observed"
    assert table.loc["A1", "clusters_14d"] == 1
    assert "proxy" not in table.loc["A1", "reason"]
    assert table.loc["A2", "clusters"].startswith("proxy")
    assert "proxy" in table.loc["A2", "reason"]


def test_an_override_is_applied_audited_and_expires(epidemic):
    first = decisions.add_override(
        epidemic, "A1", "low", reason="all cases in one household", person="Zhang Wei",
        start=day(14), until=day(16),
    )  # fmt: skip
    a1 = levels(epidemic, "A1")
    assert a1[13:18] == [2, 0, 0, 0, 2]
    z = zone(epidemic, LAST, level="county")
    row = z.codes.index("A1")
    assert z.computed[row, 14] == 2 and z.override[row, 14] == first
    assert z.override[row, 17] == -1  # expired after its last day
    assert z.reason(row, 14) == (
        "override by Zhang Wei: all cases in one household (until 2020-01-17); "
        "the rules give: high risk"
    )
    changes = zone_changes(z, day(17))
    assert changes.loc[0, "cause"] == "rise"
    audit = decisions.override_table(epidemic)
    assert audit.loc[first, ["region", "level", "person", "start", "until"]].tolist() == [
        "A1",
        "low",
        "Zhang Wei",
        day(14),
        day(16),
    ]
    assert pd.notna(audit.loc[first, "entered_at"])


def test_overlapping_overrides_conflict_until_one_is_withdrawn(epidemic):
    first = decisions.add_override(epidemic, "A1", "low", reason="r", person="p", start=day(14))
    with pytest.raises(Conflict, match=f"override {first}"):
        decisions.add_override(epidemic, "A1", "medium", reason="r2", person="p", start=day(20))
    decisions.withdraw_override(epidemic, first, person="q", reason="too early", start=day(16))
    second = decisions.add_override(
        epidemic, "A1", "medium", reason="r2", person="p", start=day(20), until=day(21)
    )
    a1 = levels(epidemic, "A1")
    assert a1[13:23] == [2, 0, 0, 2, 2, 2, 2, 1, 1, 2]
    audit = decisions.override_table(epidemic)
    assert audit.loc[first, "withdrawn_by"] == "q"
    assert audit.loc[first, "withdrawn_from"] == day(16)
    assert pd.isna(audit.loc[second, "withdrawn_at"])
    decisions.withdraw_override(epidemic, second, person="q", reason="mistake")
    assert levels(epidemic, "A1")[20:22] == [2, 2]  # withdrawn altogether
    with pytest.raises(Conflict, match="already withdrawn"):
        decisions.withdraw_override(epidemic, second, person="q", reason="again")


@pytest.mark.parametrize(
    ("region", "level", "reason", "person", "error", "pattern"),
    [
        ("Alfa City", "low", "r", "p", NotFound, "unknown region 'Alfa City'"),
        ("A1", "lwo", "r", "p", InputError, "--level: unknown level .*did you mean 'low'"),
        ("A1", "low", "  ", "p", InputError, "--reason: an override needs a reason"),
        ("A1", "low", "r", "", InputError, "--person: an override needs the person"),
    ],
)
def test_a_bad_override_is_refused_and_nothing_is_stored(
    epidemic, region, level, reason, person, error, pattern
):
    with pytest.raises(error, match=pattern):
        decisions.add_override(epidemic, region, level, reason=reason, person=person, start=day(3))
    assert decisions.override_table(epidemic).empty


def test_a_replay_is_stored_and_a_second_run_replaces_the_period(epidemic):
    report = decisions.replay_zones(epidemic, day(0), LAST, ruleset="cn-2022-area",
                                    level="county")  # fmt: skip
    # cn-2022-area: high while a new case is within 7 days; high -> medium after 7 days
    # without one (A1: last case day 12, medium on day 19); medium -> low 3 days later.
    a1 = report.transitions[report.transitions.region == "A1"]
    assert a1[["date", "from", "to", "cause"]].values.tolist() == [
        [day(3), None, "high", "start"],
        [day(19), "high", "medium", "step_down"],
        [day(22), "medium", "low", "step_down"],
    ]
    assert report.rows == 90 and report.replaced == 0
    assert report.counts.loc[day(20)].tolist() == [1, 1, 1, 0]  # A2 low, A1 medium, B high
    stored = decisions.stored_zones(epidemic, day(0), LAST, ruleset="cn-2022-area")
    assert len(stored) == 90
    a1_stored = stored[stored.region == "A1"].set_index("date")
    assert a1_stored.loc[day(20), ["level", "classified"]].tolist() == ["medium", "low"]
    assert a1_stored.loc[day(19), "cause"] == "step_down"
    assert a1_stored.loc[day(19), "step_rule"] == 0
    assert "7 days without new confirmed cases" in a1_stored.loc[day(19), "reason"]
    assert pd.isna(a1_stored.loc[day(20), "reason"])
    again = decisions.replay_zones(epidemic, day(21), day(25), ruleset="cn-2022-area",
                                   level="county")  # fmt: skip
    assert again.replaced == 15 and again.rows == 15
    stored = decisions.stored_zones(epidemic, day(0), LAST, ruleset="cn-2022-area")
    assert len(stored) == 90
    assert set(stored[stored.date.between(day(21), day(25))].run_id) == {again.run_id}
    assert set(stored[stored.date < day(21)].run_id) == {report.run_id}


def test_a_failed_store_leaves_the_period_as_it_was(epidemic, monkeypatch):
    decisions.replay_zones(epidemic, day(0), LAST, level="county")

    def broken(connection, frame):
        raise RuntimeError("disk full")

    monkeypatch.setattr(zone_store, "_bulk_insert", broken)
    with pytest.raises(RuntimeError):
        decisions.replay_zones(epidemic, day(0), LAST, level="county")
    stored = decisions.stored_zones(epidemic, day(0), LAST)
    assert len(stored) == 90 and stored.run_id.nunique() == 1


def test_a_replay_applies_stored_overrides(epidemic):
    override = decisions.add_override(epidemic, "B", "high", reason="cluster at a market",
                                      person="Li Na", start=day(21))  # fmt: skip
    report = decisions.replay_zones(epidemic, day(15), LAST, level="county")
    stored = report.transitions[report.transitions.region == "B"]
    assert stored[["date", "to", "cause"]].values.tolist() == [
        [day(20), "medium", "rise"], [day(21), "high", "override"]
    ]  # fmt: skip
    assert stored.iloc[1]["reason"] == "override by Li Na: cluster at a market"
    rows = decisions.stored_zones(epidemic, day(21), LAST, codes=["B"])
    assert (rows.override_id == override).all() and (rows.computed == "medium").all()


def test_measures_follow_the_level_of_the_day(epidemic):
    high = decisions.region_measures(epidemic, "A1", day(22), lang="zh")
    assert high.level == "high" and high.label == "高风险"
    assert high.reason.startswith("高风险：累计确诊")
    assert high.measures["prevention_focus"][0].startswith("内防扩散")
    low = decisions.region_measures(epidemic, "Alpha City", LAST)
    assert low.level == "low" and low.measures["prevention_focus"] == [
        "guard against imported cases"
    ]
    assert set(low.frame()["domain"]) >= {"prevention focus", "schools", "work and production"}


def test_response_levels_are_recorded_and_step_down_is_suggested(epidemic):
    with pytest.raises(NotFound, match="no response level is recorded"):
        decisions.suggest_response_levels(epidemic, LAST, level="county")
    decisions.set_response_level(epidemic, "A", "一级", start=day(0), person="gov A")
    decisions.set_response_level(epidemic, "Beta", 2, start=day(0), person="gov B")
    decisions.set_response_level(epidemic, "A", "I", start=LAST + dt.timedelta(1), person="x")
    in_force = decisions.response_levels_on(epidemic, LAST)
    assert in_force["level"].to_dict() == {"A": 1, "B": 2}
    # A: A1 high until day 25, so days 26..29 without a high-risk unit (4 days).
    table = decisions.suggest_response_levels(epidemic, LAST, level="county", days=4)
    assert table.loc["A", ["current", "suggested", "quiet_days"]].tolist() == ["一级", "二级", 4]
    assert table.loc["A", "evidence"] == (
        "step down from level 1 to level 2: no high risk unit or above for 4 days "
        "(last: 1 on 2020-01-26)"
    )
    assert table.loc["B", "suggested"] == ""  # a medium-risk unit today
    default = decisions.suggest_response_levels(epidemic, LAST, level="county")
    assert default.loc["A", "suggested"] == ""


@pytest.mark.parametrize(
    ("province", "level", "person", "pattern"),
    [
        ("A", "5", "p", "LEVEL: unknown response level"),
        ("A1", "1", "p", "PROVINCE: not a province"),
        ("A", "二级", " ", "--person"),
    ],
)
def test_a_bad_response_level_is_refused(epidemic, province, level, person, pattern):
    with pytest.raises(InputError, match=pattern):
        decisions.set_response_level(epidemic, province, level, start=day(0), person=person)
    assert decisions.response_levels_on(epidemic, LAST).empty


def test_an_assessment_made_once_still_sees_the_overrides_in_the_store(epidemic):
    decisions.add_override(epidemic, "A1", "low", reason="all cases in one household",
                           person="Zhang Wei", start=day(14))  # fmt: skip
    assessment = assess(epidemic, LAST)
    with_store = zone(assessment, LAST, level="county", engine=epidemic)
    without = zone(assessment, LAST, level="county")
    row = with_store.codes.index("A1")
    assert with_store.level[row, 14:].tolist() == [0] * (len(with_store.level[row]) - 14)
    assert without.level[row].tolist() == [0] * 3 + [1] * 8 + [2] * 15 + [0] * 4
