import numpy as np
import pytest

from tongchou.errors import InputError, NotFound
from tongchou.zoning import DOMAINS, builtin_playbooks, load_playbook, playbook_for

PLAYBOOK = """\
id: tiny-measures
ruleset: cn-2020-county
name: {zh: 措施, en: measures}
source: written for the tests
sectors:
  factories: {zh: 工厂, en: factories}
levels:
  low: &open
    prevention_focus: [{zh: 外防输入, en: guard against imports}]
    movement: []
    work: [{sector: factories, capacity: 1.0, zh: 开工, en: open}]
    schools: []
    markets_services: []
    testing: []
  medium: *open
  high:
    prevention_focus: [{zh: 内防扩散, en: guard against spread}]
    movement: []
    work: [{sector: factories, capacity: 0.2, zh: 部分开工, en: partly open}]
    schools: []
    markets_services: []
    testing: []
"""


def problems_of(path, **options) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_playbook(path, **options)
    return [str(p) for p in caught.value.problems]


def test_the_default_playbook_follows_the_february_2020_guidance():
    playbook = playbook_for("cn-2020-county")
    assert playbook.level_ids == ("low", "medium", "high")
    focus = {
        level: playbook.measures(level, "zh")["prevention_focus"] for level in playbook.level_ids
    }
    assert focus == {
        "low": ["外防输入"],
        "medium": ["外防输入、内防扩散"],
        "high": ["内防扩散、外防输出、严格管控"],
    }
    assert set(playbook.measures("low")) == set(DOMAINS)
    assert playbook.capacity("manufacturing").tolist() == [1.0, 0.8, 0.3]
    assert playbook.measures("medium")["work"][1] == (
        "manufacturing: resume soon and in order; staggered return to work, lower density, "
        "fewer gatherings (80% of work)"
    )


def test_work_capacity_follows_levels_and_is_missing_where_undecided():
    playbook = playbook_for("cn-2020-county")
    shares = playbook.work_capacity(np.array([[0, 1], [2, -1]]))["consumer_services"]
    np.testing.assert_array_equal(shares, [[1.0, 0.5], [0.1, np.nan]])


def test_every_builtin_playbook_loads_against_its_ruleset():
    assert builtin_playbooks() == ["cn-2020-differentiated", "cn-2022-area"]
    assert playbook_for("cn-2022-area").measures("high")["prevention_focus"] == [
        "lockdown: stay at home; services brought to the door"
    ]
    table = playbook_for("cn-2022-area").table("zh")
    assert table.loc["medium", "防控重点"] == "管控：人不出区、错峰取物"


def test_a_small_playbook_loads(write_yaml):
    playbook = load_playbook(write_yaml(PLAYBOOK, "measures.yaml"))
    assert playbook.capacity("factories").tolist() == [1.0, 1.0, 0.2]


def test_levels_must_match_the_ruleset(write_yaml):
    path = write_yaml(PLAYBOOK.replace("  medium: *open\n", "  meduim: *open\n"))
    assert problems_of(path) == [
        f"{path}: levels.meduim: unknown level for ruleset cn-2020-county; did you mean 'medium'?",
        f"{path}: levels: missing level 'medium' (expected measures for every level of "
        "cn-2020-county: low, medium, high)",
    ]
    assert problems_of(path, ruleset="hghi-2020")[0].startswith(
        f"{path}: levels.low: unknown level for ruleset hghi-2020"
    )


def test_unknown_domain_sector_and_bad_capacity(write_yaml):
    path = write_yaml(
        PLAYBOOK.replace(
            "    schools: []\n    markets_services: []\n    testing: []\n  medium",
            "    school: []\n    markets_services: []\n    testing: []\n  medium",
        )
    )
    assert f"{path}: levels.low.school: unknown key; did you mean 'schools'?" in problems_of(path)
    path = write_yaml(PLAYBOOK.replace("capacity: 0.2", "capacity: 20"))
    assert problems_of(path) == [
        f"{path}: levels.high.work[0].capacity: expected a share between 0 and 1 (0.5 for half) "
        "(found 20)"
    ]
    path = write_yaml(
        PLAYBOOK.replace("sector: factories, capacity: 0.2", "sector: factory, capacity: 0.2")
    )
    problems = problems_of(path)
    assert problems[0] == (
        f"{path}: levels.high.work[0].sector: unknown sector (found 'factory'); did you mean "
        "'factories'?"
    )
    assert problems[1] == f"{path}: levels.high.work: no capacity for sector 'factories'"


def test_a_riskier_level_may_not_allow_more_work(write_yaml):
    path = write_yaml(
        PLAYBOOK.replace("capacity: 0.2", "capacity: 1.0").replace(
            "capacity: 1.0, zh: 开工", "capacity: 0.5, zh: 开工"
        )
    )
    assert problems_of(path) == [
        f"{path}: levels.high.work: factories: higher risk allows more work than 'medium' (1 > "
        "0.5) (expected a capacity of at most 0.5)"
    ]


def test_unknown_playbooks_and_rulesets_without_one():
    with pytest.raises(NotFound):
        load_playbook("cn-2020")
    with pytest.raises(NotFound, match="no playbook ships with ruleset 'hghi-2020'"):
        playbook_for("hghi-2020")
