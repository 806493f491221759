"""Loading rulesets: by built-in name or from any YAML file, checked whole before anything is
returned.

The file's shape is checked by ``ruleset_schema``; its meaning here, over the whole file:
names of series, levels that overlap or leave a gap, levels that can never be reached,
step-down rules that name unknown levels, go up, or form a cycle. Every problem names the
file and the key; nothing is half-loaded.

Levels are listed from the lowest risk to the highest. On each day a region takes the highest
level whose condition holds, or the default level when none does (see ``classify``).
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from pathlib import Path

from tongchou.errors import InputError, NotFound, Problem
from tongchou.zoning.document import read_yaml, validate_document
from tongchou.zoning.inputs import BASE_INPUTS, InputSpec, nearest_name
from tongchou.zoning.ruleset import Level, Measure, Node, Proxy, Ruleset, StepDown, Test
from tongchou.zoning.ruleset_schema import (
    AllOf,
    AnyOf,
    Leaf,
    LevelSpec,
    RulesetFile,
    StepDownSpec,
)
from tongchou.zoning.windows import WINDOWED_STATS

DEFAULT_RULESET = "cn-2020-county"


def _builtin_folder():
    return resources.files("tongchou.zoning").joinpath("rulesets")


def builtin_rulesets() -> list[str]:
    """Names of the rulesets shipped with tongchou."""
    folder = _builtin_folder()
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_ruleset(source: str | Path | Ruleset = DEFAULT_RULESET) -> Ruleset:
    """A ruleset by built-in name (``cn-2020-county``) or from any YAML file path."""
    if isinstance(source, Ruleset):
        return source
    text = str(source)
    is_name = isinstance(source, str) and "/" not in text and not text.endswith((".yaml", ".yml"))
    if is_name and not Path(text).exists():
        if text not in builtin_rulesets():
            raise NotFound(
                f"unknown ruleset {text!r}",
                suggestions=[n for n in [nearest_name(text, builtin_rulesets())] if n]
                or builtin_rulesets(),
            )
        return _builtin(text)
    path = Path(source)
    return compile_ruleset(read_yaml(path, str(path)), str(path))


@cache
def _builtin(name: str) -> Ruleset:
    path = _builtin_folder().joinpath(f"{name}.yaml")
    with resources.as_file(path) as real:
        return compile_ruleset(read_yaml(real, f"{name}.yaml"), f"{name}.yaml")


def compile_ruleset(data: object, place: str) -> Ruleset:
    """Check a parsed ruleset document and compile it; InputError lists every problem."""
    spec = validate_document(RulesetFile, data, place)
    checker = _Checker(spec, place)
    ruleset = checker.compile()
    if checker.problems:
        raise InputError(checker.problems)
    return ruleset


class _Checker:
    """Compiles a validated file, collecting every problem of meaning on the way."""

    def __init__(self, spec: RulesetFile, place: str):
        self.spec = spec
        self.place = place
        self.problems: list[Problem] = []
        self.inputs = dict(BASE_INPUTS)
        for name, declared in spec.inputs.items():
            self.inputs[name] = InputSpec(name, declared.kind, declared.label.zh, declared.label.en)

    def problem(self, path: str, message: str, **kw) -> None:
        self.problems.append(Problem(f"{self.place}: {path}", message, **kw))

    def compile(self) -> Ruleset:
        spec = self.spec
        ids = [level.id for level in spec.levels]
        self._check_levels(spec.levels)
        tests: list[Test] = []
        levels = tuple(
            Level(
                index=i,
                id=level.id,
                label=level.label,
                colour=level.colour,
                when=None
                if level.when is None
                else self._node(level.when, f"levels[{i}].when", tests),
                description=level.description,
            )
            for i, level in enumerate(spec.levels)
        )
        default = self._level_ref(spec.default, "default", ids)
        proxies = self._proxies()
        step_downs = self._step_downs(spec.step_down, ids) if spec.step_down else ()
        if default >= 0:
            self._check_reachable(levels, default, step_downs)
        self._check_bands(levels, tests)
        return Ruleset(
            id=spec.id,
            name=spec.name,
            source=spec.source,
            place=self.place,
            levels=levels,
            default=max(default, 0),
            tests=tuple(tests),
            inputs=self.inputs,
            proxies=proxies,
            step_downs=step_downs,
            without_new=spec.step_down.without_new if spec.step_down else "confirmed_new",
            exclusive=spec.exclusive,
            unit=spec.unit,
            notes=spec.notes,
        )

    def _check_levels(self, levels: list[LevelSpec]) -> None:
        first: dict[str, int] = {}
        for i, level in enumerate(levels):
            if level.id in first:
                self.problem(
                    f"levels[{i}].id",
                    f"overlapping levels: {level.id!r} is also levels[{first[level.id]}]",
                )
            first.setdefault(level.id, i)
        ranked = [(i, level.order) for i, level in enumerate(levels) if level.order is not None]
        for (i, a), (j, b) in zip(ranked, ranked[1:], strict=False):
            if b == a:
                self.problem(
                    f"levels[{j}].order",
                    f"overlapping levels: levels[{i}] and levels[{j}] both have order {a}",
                )
            elif b < a:
                self.problem(
                    f"levels[{j}].order",
                    "levels must be listed from the lowest risk to the highest",
                    value=b,
                    expected=f"an order above {a}",
                )
        if len(ranked) == len(levels):
            orders = {order for _, order in ranked}
            base = min(orders)
            for missing in sorted(set(range(base, base + len(levels))) - orders):
                self.problem("levels", f"missing level: no level has order {missing}")

    def _level_ref(self, name: str | None, path: str, ids: list[str]) -> int:
        if name is None:
            return -1
        if name in ids:
            return ids.index(name)
        self.problem(
            path,
            "unknown level",
            value=name,
            expected="one of " + ", ".join(ids),
            nearest=nearest_name(name, ids),
        )
        return -1

    def _node(self, condition, path: str, tests: list[Test], proxied: bool = False) -> Node:
        if isinstance(condition, AllOf | AnyOf):
            kind = "all" if isinstance(condition, AllOf) else "any"
            children = tuple(
                self._node(child, f"{path}.{kind}[{i}]", tests, proxied)
                for i, child in enumerate(getattr(condition, kind))
            )
            return Node(kind, children, path=path)
        tests.append(self._test(condition, path, len(tests), proxied))
        return Node("test", test=len(tests) - 1, path=path)

    def _test(self, leaf: Leaf, path: str, index: int, in_proxy: bool) -> Test:
        spec = self.inputs.get(leaf.indicator)
        if spec is None:
            self.problem(
                f"{path}.indicator",
                "unknown indicator",
                value=leaf.indicator,
                expected="a series the engine receives, or one declared under inputs:",
                nearest=nearest_name(leaf.indicator, self.inputs),
            )
        elif in_proxy and leaf.indicator in self.spec.proxies:
            self.problem(
                f"{path}.indicator",
                "a proxy cannot rest on a series that is itself proxied",
                value=leaf.indicator,
            )
        if leaf.window > 1 and leaf.stat not in WINDOWED_STATS:
            self.problem(
                f"{path}.window",
                f"a window does not apply to stat {leaf.stat!r}",
                value=leaf.window,
                expected="no window, or a windowed stat such as sum",
            )
        kind = spec.kind if spec else "count"
        if leaf.per_100k and kind in ("share", "ratio"):
            self.problem(
                f"{path}.per_100k", f"{leaf.indicator} is a {kind}; per 100,000 applies to counts"
            )
        lower, lower_inclusive, upper, upper_inclusive = _bounds(leaf)
        if lower > upper or (lower == upper and not (lower_inclusive and upper_inclusive)):
            self.problem(path, "the band is empty", expected="a lower bound below the upper")
        on_share_scale = kind == "share" and not leaf.per_100k and leaf.stat != "count_positive"
        if on_share_scale and leaf.stat not in ("sum", "days_since_positive"):
            for key in ("above", "at_least", "below", "at_most", "equals"):
                threshold = getattr(leaf, key)
                if threshold is not None and not 0 <= threshold <= 1:
                    self.problem(
                        f"{path}.{key}",
                        f"{leaf.indicator} is a share between 0 and 1",
                        value=threshold,
                        expected="a share such as 0.15 for 15%",
                    )
        percent = leaf.percent if leaf.percent is not None else on_share_scale
        measure = Measure(leaf.indicator, leaf.stat, leaf.window, leaf.per_100k)
        return Test(
            index,
            measure,
            lower,
            lower_inclusive,
            upper,
            upper_inclusive,
            leaf.when_missing,
            percent,
            leaf.label,
            path,
        )

    def _proxies(self) -> dict[str, Proxy]:
        proxies = {}
        for name, spec in self.spec.proxies.items():
            path = f"proxies.{name}"
            if name not in self.inputs:
                self.problem(
                    path,
                    "unknown series to stand in for",
                    value=name,
                    nearest=nearest_name(name, self.inputs),
                )
                continue
            tests: list[Test] = []
            when = self._node(spec.when, f"{path}.when", tests, proxied=True)
            proxies[name] = Proxy(name, spec.label, when, tuple(tests))
        return proxies

    def _step_downs(self, spec: StepDownSpec, ids: list[str]) -> tuple[StepDown, ...]:
        if spec.without_new not in self.inputs:
            self.problem(
                "step_down.without_new",
                "unknown series",
                value=spec.without_new,
                nearest=nearest_name(spec.without_new, self.inputs),
            )
        rules = []
        for i, rule in enumerate(spec.rules):
            path = f"step_down.rules[{i}]"
            source = self._level_ref(rule.from_, f"{path}.from", ids)
            target = self._level_ref(rule.to, f"{path}.to", ids)
            reached = self._level_ref(rule.reached_from, f"{path}.reached_from", ids)
            rules.append(
                StepDown(
                    i, source, target, rule.after_days, reached, rule.count_from, rule.note, path
                )
            )
        known = [r for r in rules if r.source >= 0 and r.target >= 0]
        cycle = _cycle({(r.source, r.target) for r in known})
        if cycle:
            self.problem(
                "step_down.rules",
                "step-down rules form a cycle: " + " -> ".join(ids[i] for i in cycle),
            )
        seen: dict[tuple[int, int, int], int] = {}
        for rule in known:
            if not cycle and rule.target >= rule.source:
                self.problem(
                    f"{rule.path}.to",
                    "a step-down must go to a lower level",
                    value=ids[rule.target],
                    expected=f"a level below {ids[rule.source]!r}",
                )
            if rule.reached_from >= 0 and rule.reached_from <= rule.source:
                self.problem(
                    f"{rule.path}.reached_from",
                    "must be a level above 'from'",
                    value=ids[rule.reached_from],
                )
            key = (rule.source, rule.target, rule.reached_from)
            if key in seen:
                self.problem(
                    rule.path, f"repeats step_down.rules[{seen[key]}] (same from, to, reached_from)"
                )
            seen.setdefault(key, rule.index)
        return tuple(rules)

    def _check_reachable(
        self, levels: tuple[Level, ...], default: int, step_downs: tuple[StepDown, ...]
    ) -> None:
        targets = {r.target for r in step_downs}
        for level in levels:
            if level.when is None and level.index != default and level.index not in targets:
                self.problem(
                    f"levels[{level.index}]",
                    f"missing level condition: {level.id!r} can never be reached",
                    expected="a when: condition, the default, or a step-down target",
                )

    def _check_bands(self, levels: tuple[Level, ...], tests: list[Test]) -> None:
        """Where every level is a band of one measure, the bands must tile [0, inf) exactly."""
        bands = [_band(level.when, tests) for level in levels]
        if not bands or any(b is None for b in bands):
            return
        if len({b[0] for b in bands}) != 1:
            return
        ordered = sorted(((b[1], not b[2], b[3], b[4], levels[i].id) for i, b in enumerate(bands)))
        # Covered so far: values below ``reach`` (and ``reach`` itself if reach_inclusive);
        # every series the engine knows is non-negative, so coverage must start at 0.
        reach, reach_inclusive, reach_id = 0.0, False, None
        for lower, lower_open, upper, upper_inclusive, level_id in ordered:
            lower_inclusive = not lower_open
            starts_inside = lower < reach or (
                lower == reach and lower_inclusive and reach_inclusive
            )
            if reach_id is not None and starts_inside:
                self.problem(
                    "levels",
                    f"overlapping levels: {reach_id!r} and {level_id!r} both cover "
                    f"{_fmt(max(lower, 0))} to {_fmt(reach)}",
                )
            elif lower > reach or (lower == reach and not lower_inclusive and not reach_inclusive):
                self.problem(
                    "levels",
                    f"missing level: no level covers values from {_fmt(reach)} to {_fmt(lower)}",
                )
            if upper > reach or (upper == reach and upper_inclusive):
                reach, reach_inclusive, reach_id = upper, upper_inclusive, level_id
        if not math.isinf(reach):
            self.problem("levels", f"missing level: no level covers values above {_fmt(reach)}")


def _bounds(leaf: Leaf) -> tuple[float, bool, float, bool]:
    if leaf.equals is not None:
        return leaf.equals, True, leaf.equals, True
    lower, lower_inclusive = -math.inf, True
    if leaf.above is not None:
        lower, lower_inclusive = leaf.above, False
    elif leaf.at_least is not None:
        lower = leaf.at_least
    upper, upper_inclusive = math.inf, True
    if leaf.below is not None:
        upper, upper_inclusive = leaf.below, False
    elif leaf.at_most is not None:
        upper = leaf.at_most
    return lower, lower_inclusive, upper, upper_inclusive


def _band(node: Node | None, tests: list[Test]):
    """(measure, lower, lower_inclusive, upper, upper_inclusive) when the condition is one
    test, or all of tests on one measure; None otherwise."""
    if node is None or node.kind == "any":
        return None
    if node.kind == "all" and any(c.kind != "test" for c in node.children):
        return None
    parts = [tests[i] for i in node.tests()]
    if len({p.measure for p in parts}) != 1:
        return None
    lower = max(parts, key=lambda t: (t.lower, not t.lower_inclusive))
    upper = min(parts, key=lambda t: (t.upper, t.upper_inclusive))
    return (
        parts[0].measure,
        lower.lower,
        lower.lower_inclusive,
        upper.upper,
        upper.upper_inclusive,
    )


def _cycle(edges: set[tuple[int, int]]) -> list[int] | None:
    """One cycle of the directed graph as a closed walk of nodes, or None."""
    following: dict[int, list[int]] = {}
    for a, b in sorted(edges):
        following.setdefault(a, []).append(b)
    state: dict[int, int] = {}
    trail: list[int] = []

    def visit(node: int) -> list[int] | None:
        state[node] = 1
        trail.append(node)
        for nxt in following.get(node, []):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        trail.pop()
        return None

    for start in sorted(following):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _fmt(x: float) -> str:
    return "infinity" if math.isinf(x) else f"{x:g}"
