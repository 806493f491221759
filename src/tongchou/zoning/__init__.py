"""Zoning (分区分级) and measures (精准施策): the engine.

    ruleset = load_ruleset("cn-2020-county")          # or any YAML path
    result = classify(ruleset, {"confirmed_new": new, "confirmed_cumulative": cum}, days=-1)
    result.level, result.reason(region=0, lang="zh")
    history = replay(ruleset, inputs, dates=dates, overrides=[Override(...)])
    history.transitions()
    playbook_for(ruleset).measures("medium", lang="zh")

Pure functions over numpy arrays shaped (regions, days); rulesets and playbooks are data.
"""

from tongchou.zoning.classify import (
    UNDECIDED,
    Classification,
    classify,
    classify_frames,
)
from tongchou.zoning.inputs import BASE_INPUTS
from tongchou.zoning.playbook import (
    DEFAULT_PLAYBOOKS,
    DOMAINS,
    Playbook,
    builtin_playbooks,
    load_playbook,
    playbook_for,
)
from tongchou.zoning.replay import Override, Replay, replay
from tongchou.zoning.response import (
    DEFAULT_STEPS,
    ResponseStep,
    ResponseSuggestion,
    count_units,
    suggest_response,
)
from tongchou.zoning.rollup import roll_up
from tongchou.zoning.ruleset import Ruleset
from tongchou.zoning.ruleset_loading import (
    DEFAULT_RULESET,
    builtin_rulesets,
    compile_ruleset,
    load_ruleset,
)
from tongchou.zoning.transitions import CAUSES

__all__ = [
    "BASE_INPUTS",
    "CAUSES",
    "DEFAULT_PLAYBOOKS",
    "DEFAULT_RULESET",
    "DEFAULT_STEPS",
    "DOMAINS",
    "UNDECIDED",
    "Classification",
    "Override",
    "Playbook",
    "Replay",
    "ResponseStep",
    "ResponseSuggestion",
    "Ruleset",
    "builtin_playbooks",
    "builtin_rulesets",
    "classify",
    "classify_frames",
    "compile_ruleset",
    "count_units",
    "load_playbook",
    "load_ruleset",
    "playbook_for",
    "replay",
    "roll_up",
    "suggest_response",
]
