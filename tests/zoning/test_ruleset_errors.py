"""Bad ruleset files: every problem names the file and the key, and nothing is loaded."""

import re

import pytest

from tongchou.errors import InputError, NotFound
from tongchou.zoning import load_ruleset


def problems_of(path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_ruleset(path)
    return [str(p) for p in caught.value.problems]


def test_the_minimal_file_is_valid(write_yaml, minimal):
    ruleset = load_ruleset(write_yaml(minimal))
    assert ruleset.level_ids == ("low", "medium", "high")


def test_a_window_that_is_not_a_positive_integer(write_yaml, minimal):
    path = write_yaml(minimal.replace("window: 7", "window: 'x'"), "cn-2020-county.yaml")
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0].window: expected a positive integer (found 'x')"
    ]
    path = write_yaml(minimal.replace("window: 7", "window: 0"))
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0].window: expected a positive integer (found 0)"
    ]


def test_a_threshold_of_the_wrong_type(write_yaml, minimal):
    path = write_yaml(minimal.replace("at_least: 10", "at_least: ten"))
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0].at_least: expected a number (found 'ten')"
    ]
    path = write_yaml(minimal.replace("at_least: 10", "at_least: true"))
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0].at_least: expected a number (found True)"
    ]


def test_an_unknown_indicator_names_the_nearest(write_yaml, minimal):
    path = write_yaml(
        minimal.replace(
            "indicator: confirmed_new, stat: sum, window: 7",
            "indicator: confirmed_nwe, stat: sum, window: 7",
        )
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: levels[2].when.all[0].indicator: unknown indicator")
    assert problem.endswith("did you mean 'confirmed_new'?")


def test_an_unknown_key_or_stat_names_the_nearest(write_yaml, minimal):
    path = write_yaml(minimal.replace("window: 14", "windw: 14"))
    assert problems_of(path) == [
        f"{path}: levels[1].when.all[0].windw: unknown key; did you mean 'window'?"
    ]
    path = write_yaml(minimal.replace("stat: sum, window: 14", "stat: summ, window: 14"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: levels[1].when.all[0].stat: unknown value (found 'summ'")
    assert problem.endswith("did you mean 'sum'?")


def test_a_comparison_is_required_and_bands_must_be_coherent(write_yaml, minimal):
    path = write_yaml(minimal.replace(", at_least: 10}", "}"))
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0]: expected a comparison: above, at_least, below, "
        "at_most or equals"
    ]
    path = write_yaml(minimal.replace("at_least: 10}", "at_least: 10, below: 5}"))
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0]: the band is empty (expected a lower bound below the upper)"
    ]


def test_duplicate_level_ids_overlap(write_yaml, minimal):
    path = write_yaml(minimal.replace("- id: high", "- id: medium"))
    problems = problems_of(path)
    assert f"{path}: levels[2].id: overlapping levels: 'medium' is also levels[1]" in problems


def test_explicit_orders_that_overlap_or_leave_a_gap(write_yaml, minimal):
    text = minimal.replace("- id: low\n", "- id: low\n    order: 1\n")
    overlap = text.replace("- id: medium\n", "- id: medium\n    order: 1\n").replace(
        "- id: high\n", "- id: high\n    order: 2\n"
    )
    path = write_yaml(overlap)
    assert (
        f"{path}: levels[1].order: overlapping levels: levels[0] and levels[1] both have "
        "order 1" in problems_of(path)
    )
    gap = text.replace("- id: medium\n", "- id: medium\n    order: 2\n").replace(
        "- id: high\n", "- id: high\n    order: 4\n"
    )
    path = write_yaml(gap)
    assert problems_of(path) == [f"{path}: levels: missing level: no level has order 3"]


BANDS = """\
id: bands
name: {zh: 分段, en: bands}
source: written for the tests
exclusive: true
levels:
  - id: green
    colour: "#00aa00"
    label: {zh: 绿, en: green}
    when: {indicator: confirmed_new, stat: mean, window: 7, below: 1}
  - id: yellow
    colour: "#ffff00"
    label: {zh: 黄, en: yellow}
    when: {indicator: confirmed_new, stat: mean, window: 7, at_least: 1, below: 10}
  - id: red
    colour: "#ff0000"
    label: {zh: 红, en: red}
    when: {indicator: confirmed_new, stat: mean, window: 7, at_least: 10}
default: green
"""


def test_bands_that_tile_the_line_are_valid(write_yaml):
    assert load_ruleset(write_yaml(BANDS)).level_ids == ("green", "yellow", "red")


def test_bands_that_overlap(write_yaml):
    path = write_yaml(BANDS.replace("at_least: 1, below: 10", "at_least: 1, below: 12"))
    assert problems_of(path) == [
        f"{path}: levels: overlapping levels: 'yellow' and 'red' both cover 10 to 12"
    ]


def test_bands_that_leave_a_gap(write_yaml):
    path = write_yaml(BANDS.replace("at_least: 10}", "at_least: 11}"))
    assert problems_of(path) == [
        f"{path}: levels: missing level: no level covers values from 10 to 11"
    ]
    path = write_yaml(BANDS.replace("at_least: 1, below: 10", "above: 1, below: 10"))
    assert problems_of(path) == [
        f"{path}: levels: missing level: no level covers values from 1 to 1"
    ]


def test_a_level_that_can_never_be_reached(write_yaml, minimal):
    path = write_yaml(minimal.replace("default: low", "default: medium"))
    assert problems_of(path) == [
        f"{path}: levels[0]: missing level condition: 'low' can never be reached (expected a "
        "when: condition, the default, or a step-down target)"
    ]


def test_an_unknown_default(write_yaml, minimal):
    path = write_yaml(minimal.replace("default: low", "default: lwo"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: default: unknown level (found 'lwo'")
    assert problem.endswith("did you mean 'low'?")


STEPS = """
step_down:
  rules:
    - {from: high, to: medium, after_days: 7}
    - {from: medium, to: low, after_days: 7}
"""


def test_step_down_rules_that_are_valid(write_yaml, minimal):
    ruleset = load_ruleset(write_yaml(minimal + STEPS))
    assert [(r.source, r.target, r.after_days) for r in ruleset.step_downs] == [
        (2, 1, 7),
        (1, 0, 7),
    ]


def test_step_down_rules_that_form_a_cycle(write_yaml, minimal):
    path = write_yaml(minimal + STEPS + "    - {from: low, to: high, after_days: 3}\n")
    assert problems_of(path) == [
        f"{path}: step_down.rules: step-down rules form a cycle: low -> high -> medium -> low"
    ]


def test_step_down_rules_that_go_up_or_name_unknown_levels(write_yaml, minimal):
    path = write_yaml(
        minimal + "\nstep_down:\n  rules:\n    - {from: medium, to: high, "
        "after_days: 7}\n    - {from: hihg, to: low, after_days: 7}\n"
    )
    problems = problems_of(path)
    assert problems[0].startswith(f"{path}: step_down.rules[1].from: unknown level (found 'hihg'")
    assert problems[0].endswith("did you mean 'high'?")
    assert problems[1] == (
        f"{path}: step_down.rules[0].to: a step-down must go to a lower level (found 'high', "
        "expected a level below 'medium')"
    )


def test_step_down_days_and_reached_from_are_checked(write_yaml, minimal):
    path = write_yaml(
        minimal + "\nstep_down:\n  rules:\n    - {from: medium, to: low, "
        "after_days: -3, reached_from: low}\n"
    )
    assert problems_of(path) == [
        f"{path}: step_down.rules[0].after_days: expected a positive integer (found -3)"
    ]
    path = write_yaml(
        minimal + "\nstep_down:\n  rules:\n    - {from: medium, to: low, "
        "after_days: 3, reached_from: low}\n"
    )
    assert problems_of(path) == [
        f"{path}: step_down.rules[0].reached_from: must be a level above 'from' (found 'low')"
    ]


def test_a_share_threshold_given_as_a_percentage(write_yaml, minimal):
    path = write_yaml(
        minimal.replace(
            "indicator: confirmed_new, stat: sum, window: 7, at_least: 10",
            "indicator: bed_occupancy, stat: mean, window: 7, at_least: 15",
        )
    )
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0].at_least: bed_occupancy is a share between 0 and 1 "
        "(found 15.0, expected a share such as 0.15 for 15%)"
    ]


def test_a_window_on_a_stat_without_one_and_a_rate_of_a_share(write_yaml, minimal):
    path = write_yaml(minimal.replace("stat: sum, window: 14", "stat: last, window: 14"))
    assert problems_of(path) == [
        f"{path}: levels[1].when.all[0].window: a window does not apply to stat 'last' (found "
        "14, expected no window, or a windowed stat such as sum)"
    ]
    path = write_yaml(
        minimal.replace(
            "indicator: confirmed_new, stat: sum, window: 7, at_least: 10",
            "indicator: rt_mean, per_100k: true, at_least: 1",
        )
    )
    assert problems_of(path) == [
        f"{path}: levels[2].when.all[0].per_100k: rt_mean is a ratio; per 100,000 applies to counts"
    ]


def test_a_proxy_must_stand_for_a_known_series_and_not_rest_on_one(write_yaml, minimal):
    proxy = (
        "\nproxies:\n  {name}:\n    label: {{zh: 代, en: proxy}}\n    when: {{indicator: "
        "{on}, above: 0}}\n"
    )
    path = write_yaml(minimal + proxy.format(name="clusters_nwe", on="confirmed_new"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: proxies.clusters_nwe: unknown series to stand in for")
    path = write_yaml(minimal + proxy.format(name="clusters_new", on="clusters_new"))
    assert problems_of(path) == [
        f"{path}: proxies.clusters_new.when.indicator: a proxy cannot rest on a series that is "
        "itself proxied (found 'clusters_new')"
    ]


def test_declared_inputs_are_accepted(write_yaml, minimal):
    text = minimal.replace(
        "indicator: confirmed_new, stat: sum, window: 7", "indicator: icu_new, stat: sum, window: 7"
    )
    text += "inputs:\n  icu_new: {kind: count, label: {zh: 新增重症, en: new ICU admissions}}\n"
    assert load_ruleset(write_yaml(text)).inputs["icu_new"].kind == "count"


def test_every_problem_is_reported_at_once(write_yaml, minimal):
    bad = minimal.replace("window: 7", "window: 'x'").replace('colour: "#ff0000"', "colour: red")
    problems = problems_of(write_yaml(bad))
    assert len(problems) == 2
    assert any("colour: malformed value (found 'red', expected a colour" in p for p in problems)


def test_not_yaml_missing_file_and_wrong_top_level(write_yaml, tmp_path):
    path = write_yaml("levels: [a, b\n")
    (problem,) = problems_of(path)
    assert re.match(rf"{re.escape(str(path))}: not valid YAML: line \d+, column \d+", problem)
    assert problems_of(tmp_path / "absent.yaml") == [
        f"{tmp_path / 'absent.yaml'}: file not found (expected a readable YAML file)"
    ]
    assert problems_of(write_yaml("- just\n- a list\n")) == [
        f"{tmp_path / 'rules.yaml'}: the document is not a mapping (expected keys such as id:, "
        "levels:)"
    ]


def test_nothing_is_half_loaded(write_yaml, minimal):
    path = write_yaml(minimal.replace("window: 7", "window: 'x'"))
    with pytest.raises(InputError):
        load_ruleset(path)
    write_yaml(minimal)
    assert load_ruleset(path).tests[1].measure.window == 7


def test_an_unknown_builtin_name_suggests_the_nearest():
    with pytest.raises(NotFound, match="closest: cn-2020-county"):
        load_ruleset("cn-2020-conty")
