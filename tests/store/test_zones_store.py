"""Zone levels, overrides and response levels in the store (SQLite and PostgreSQL)."""

import datetime as dt

import pandas as pd
import pytest

from tongchou.errors import Conflict, NotFound
from tongchou.store import zones as zone_store
from tongchou.store.regions import region_ids


def level_rows(ids: dict, run_id: int, days: range, regions=("A1", "A2")) -> pd.DataFrame:
    rows = []
    for region in regions:
        for day in days:
            rows.append(
                {
                    "ruleset": "cn-2020-county", "day": day, "region_id": ids[region],
                    "level": "high" if region == "A1" else None, "computed": "high",
                    "classified": None, "clause": -2 if region == "A2" else 0,
                    "cause": "stay", "step_rule": None, "override_id": None,
                    "clusters_proxy": region == "A1",
                    "reason": "tab\there, newline\nand a back\\slash" if day == days[0] else None,
                    "run_id": run_id,
                }
            )  # fmt: skip
    return pd.DataFrame(rows)


def new_run(connection, first: int, last: int) -> int:
    return zone_store.add_run(
        connection, ruleset="cn-2020-county", unit_level="county", first_day=first,
        last_day=last, as_of_day=last, units=2, clusters="proxy for 2", computed_by="test",
    )  # fmt: skip


def test_levels_round_trip_and_a_period_is_replaced_only_for_its_regions(tiny_store):
    with tiny_store.begin() as connection:
        ids = region_ids(connection)
        run = new_run(connection, 100, 109)
        removed = zone_store.replace_levels(
            connection, "cn-2020-county", 100, 109, [ids["A1"], ids["A2"]],
            level_rows(ids, run, range(100, 110)),
        )  # fmt: skip
    assert removed == 0
    with tiny_store.connect() as connection:
        table = zone_store.read_levels(connection, "cn-2020-county", 100, 109)
    assert len(table) == 20
    first = table[(table.region == "A1") & (table.day == 100)].iloc[0]
    assert first["reason"] == "tab\there, newline\nand a back\\slash"
    assert first["level"] == "high" and bool(first["clusters_proxy"]) is True
    a2 = table[table.region == "A2"]
    assert a2["level"].isna().all() and (a2["clause"] == -2).all()
    # A1 alone, days 105..107: A2 and the other days of A1 keep their rows.
    with tiny_store.begin() as connection:
        run2 = new_run(connection, 105, 107)
        frame = level_rows(ids, run2, range(105, 108), regions=("A1",))
        removed = zone_store.replace_levels(
            connection, "cn-2020-county", 105, 107, [ids["A1"]], frame
        )
    assert removed == 3
    with tiny_store.connect() as connection:
        table = zone_store.read_levels(connection, "cn-2020-county", 100, 109)
        only_a2 = zone_store.read_levels(connection, "cn-2020-county", 100, 109, ["A2"])
        other = zone_store.read_levels(connection, "cn-2022-area", 100, 109)
    assert len(table) == 20 and len(only_a2) == 10 and other.empty
    runs = table.groupby(["region", "run_id"]).size().to_dict()
    assert runs == {("A1", run): 7, ("A1", run2): 3, ("A2", run): 10}


def test_overlapping_overrides_conflict_and_withdrawals_are_kept(tiny_store):
    with tiny_store.begin() as connection:
        ids = region_ids(connection)
        fields = {"ruleset": "cn-2020-county", "region_id": ids["A1"], "level": "low",
                  "reason": "r", "person": "p"}  # fmt: skip
        open_ended = zone_store.add_override(connection, **fields, start_day=10, until_day=None)
        with pytest.raises(Conflict, match=f"override {open_ended}"):
            zone_store.add_override(connection, **fields, start_day=50, until_day=60)
        zone_store.add_override(connection, **fields, start_day=1, until_day=9)
        other_region = dict(fields, region_id=ids["A2"])
        zone_store.add_override(connection, **other_region, start_day=10, until_day=None)
        zone_store.withdraw_override(connection, open_ended, person="q", reason="w",
                                     from_day=20)  # fmt: skip
        # now ends on day 19: an override from day 20 no longer clashes
        later = zone_store.add_override(connection, **fields, start_day=20, until_day=25)
        with pytest.raises(NotFound):
            zone_store.withdraw_override(connection, 999, person="q", reason="w")
    with tiny_store.connect() as connection:
        table = zone_store.read_overrides(connection).set_index("id")
        active = zone_store.read_overrides(connection, withdrawn=False)
    assert len(table) == 4 and later not in set(table.index) - set(active["id"])
    assert table.loc[open_ended, ["withdrawn_by", "withdrawn_reason", "withdrawn_from_day"]
                     ].tolist() == ["q", "w", 20]  # fmt: skip
    assert open_ended not in set(active["id"])


@pytest.mark.parametrize(
    ("start", "until", "withdrawn_at", "withdrawn_from", "span"),
    [
        (10, None, None, None, (10, None)),
        (10, 20, None, None, (10, 20)),
        (10, 20, "yes", None, None),  # withdrawn altogether
        (10, 20, "yes", 10, None),  # withdrawn from its first day
        (10, 20, "yes", 15, (10, 14)),
        (10, 20, "yes", 30, (10, 20)),
        (10, None, "yes", 15, (10, 14)),
        (10, float("nan"), pd.NaT, float("nan"), (10, None)),  # as read into a DataFrame
    ],
)
def test_the_days_an_override_is_in_force(start, until, withdrawn_at, withdrawn_from, span):
    assert zone_store.in_force(start, until, withdrawn_at, withdrawn_from) == span


def test_response_levels_round_trip(tiny_store):
    with tiny_store.begin() as connection:
        ids = region_ids(connection)
        zone_store.add_response_level(connection, region_id=ids["A"], level=1, start_day=5,
                                      person="gov", note="decree 1")  # fmt: skip
        zone_store.add_response_level(connection, region_id=ids["A"], level=2, start_day=40,
                                      person="gov")  # fmt: skip
    with tiny_store.connect() as connection:
        table = zone_store.read_response_levels(connection)
    assert table[["region", "level", "start_day", "person"]].values.tolist() == [
        ["A", 1, 5, "gov"], ["A", 2, 40, "gov"]
    ]  # fmt: skip
    assert table.loc[0, "note"] == "decree 1" and pd.isna(table.loc[1, "note"])
    assert isinstance(table.loc[0, "entered_at"], dt.datetime | pd.Timestamp)
