"""The region registry: a tree of any depth, with codes, names in Chinese, English and pinyin,
populations and centroids.

A region table is a pandas DataFrame indexed by code with the columns of `COLUMNS`. Kinds are
administrative tiers (nation, province, prefecture, county, or any name a country uses) plus
`placeholder`: rows that real reports carry for cases that belong to no unit of the tree
("外地来京", cases from outside the city; "境外输入", imported from abroad; codes like `1100xx`).
Placeholders count towards their parent's totals but are never mistaken for a county.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from tongchou.errors import InputError, NotFound, Problem

COLUMNS = (
    "parent",
    "depth",
    "kind",
    "name_zh",
    "name_en",
    "pinyin",
    "population",
    "population_year",
    "lon",
    "lat",
)
PLACEHOLDER = "placeholder"

# Administrative suffixes dropped when a name is compared without them ("武汉" finds 武汉市).
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A placeholder code in Chinese reports: a real prefix with letters where digits should be.
_PLACEHOLDER_CODE = re.compile(r"^(\d{2})(\d{2})?[0-9a-z]*[a-z][0-9a-z]*$")


def strip_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _key(text: str) -> str:
    return re.sub(r"[\s'\-_]+", "", str(text)).lower()


@dataclass(frozen=True)
class RegionTable:
    """An immutable region tree. Build with `regions_from_frame`; never mutate `frame`."""

    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, code: str) -> bool:
        return code in self.frame.index

    @property
    def codes(self) -> pd.Index:
        return self.frame.index

    @cached_property
    def position(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.frame.index)}

    @cached_property
    def parent_position(self) -> np.ndarray:
        """For each region, the row of its parent, or -1 at a root."""
        parents = self.frame["parent"].map(self.position)
        return parents.fillna(-1).to_numpy(dtype=np.int64)

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        """Lookup keys (code, names, names without suffix, pinyin) -> codes."""
        index: dict[str, list[str]] = {}
        f = self.frame
        columns = [f.index.to_series(), f["name_zh"], f["name_en"], f["pinyin"]]
        stripped = f["name_zh"].dropna().map(strip_suffix)
        for series in [*columns, stripped]:
            for code, text in series.dropna().items():
                if text:
                    codes = index.setdefault(_key(text), [])
                    if code not in codes:
                        codes.append(code)
        return index

    def name(self, code: str, lang: str = "zh") -> str:
        """The name in `lang` (zh or en), else in the other language, else the code."""
        return self._display_names[lang == "zh"][code]

    @cached_property
    def _display_names(self) -> dict[bool, dict[str, str]]:
        # built once per table: callers name thousands of regions at a time
        f = self.frame
        codes = f.index.to_series()

        def names(first: str, second: str) -> dict[str, str]:
            chosen = f[first].where(f[first].notna() & (f[first] != ""), f[second])
            return chosen.where(chosen.notna() & (chosen != ""), codes).to_dict()

        return {True: names("name_zh", "name_en"), False: names("name_en", "name_zh")}

    def full_name(self, code: str, lang: str = "zh") -> str:
        """The name with its ancestors below the nation: 湖北省武汉市, Wuhan, Hubei."""
        chain = [c for c in self.ancestors(code) if self.frame.at[c, "depth"] > 0]
        names = [self.name(c, lang) for c in [*reversed(chain), code]]
        names = [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]
        return "".join(names) if lang == "zh" else ", ".join(reversed(names))

    def ancestors(self, code: str) -> list[str]:
        """Parent first, root last."""
        chain, parent = [], self.frame.at[code, "parent"]
        while isinstance(parent, str) and parent:
            chain.append(parent)
            parent = self.frame.at[parent, "parent"]
        return chain

    def children(self, code: str) -> list[str]:
        return self.frame.index[self.frame["parent"] == code].tolist()

    def candidates(self, text: str, within: str | None = None) -> list[str]:
        """Codes whose code, name, name without suffix or pinyin equals `text`."""
        found = self._names.get(_key(text), [])
        if within is not None:
            found = [c for c in found if c == within or within in self.ancestors(c)]
        return found

    def suggest(self, text: str, n: int = 3) -> list[str]:
        keys = difflib.get_close_matches(_key(text), list(self._names), n=n, cutoff=0.6)
        seen = dict.fromkeys(code for key in keys for code in self._names[key])
        return [f"{c} {self.full_name(c)}" for c in list(seen)[:n]]

    def lookup(self, text: str, within: str | None = None, *, suggest: bool = True) -> str:
        """The code of one region given by code, Chinese or English name, or pinyin; an
        unknown one raises NotFound with the closest names (unless `suggest` is False)."""
        text = str(text).strip()
        if text in self.frame.index:
            return text
        found = self.candidates(text, within)
        # a municipality and its city-proper unit share a name: the name means the larger one
        found = [c for c in found if self.frame.at[c, "parent"] not in found]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            options = ", ".join(f"{c} {self.full_name(c)}" for c in found[:6])
            raise NotFound(f"region {text!r} is ambiguous ({options}); give its code")
        raise NotFound(
            f"unknown region {text!r}", suggestions=self.suggest(text) if suggest else []
        )

    def select(
        self, *, depth: int | None = None, kind: str | None = None, within: str | None = None
    ) -> list[str]:
        """Codes at a depth or of a kind, optionally below one region; placeholders only when
        asked for by kind."""
        f = self.frame
        mask = pd.Series(True, index=f.index)
        if depth is not None:
            mask &= f["depth"] == depth
        if kind is not None:
            mask &= f["kind"] == kind
        else:
            mask &= f["kind"] != PLACEHOLDER
        if within is not None:
            inside = self.descendants(within)
            mask &= f.index.isin(inside)
        return f.index[mask].tolist()

    def descendants(self, code: str) -> list[str]:
        out, frontier = [], [code]
        children = self.frame.groupby("parent").groups
        while frontier:
            nxt = [c for p in frontier for c in children.get(p, [])]
            out.extend(nxt)
            frontier = nxt
        return out

    def leaves(self, within: str | None = None) -> list[str]:
        """Units with no children other than placeholders: the finest units of the tree."""
        f = self.frame
        has_children = f.index.isin(f.loc[f["kind"] != PLACEHOLDER, "parent"].dropna())
        mask = ~has_children & (f["kind"] != PLACEHOLDER)
        codes = f.index[mask]
        if within is not None:
            codes = codes[codes.isin(self.descendants(within))]
        return codes.tolist()

    def level(self, name: str | int, within: str | None = None) -> list[str]:
        """The units of one level of the tree, named by depth (0, 1, 2 ...) or by kind. A kind
        means every unit at the depth where that kind sits, so that China's prefecture level
        holds the county-level cities a province administers directly; the finest kind (or
        "leaf") means the leaves, the units the 2020 zoning standard assessed."""
        f = self.frame
        if str(name).isdigit():
            return self.select(depth=int(name), within=within)
        kinds = f.loc[f["kind"] != PLACEHOLDER, "kind"]
        if name not in set(kinds) and name != "leaf":
            raise NotFound(f"unknown level {name!r}", suggestions=sorted(set(kinds)))
        deepest = f.loc[kinds.index, "depth"].groupby(kinds).median().idxmax()
        if name in ("leaf", deepest):
            return self.leaves(within)
        depth = int(f.loc[kinds.index[kinds == name], "depth"].mode().iloc[0])
        return self.select(depth=depth, within=within)

    def with_placeholders(self, rows: list[dict]) -> RegionTable:
        """A new table with placeholder units added (each dict: code, parent, name_zh)."""
        if not rows:
            return self
        extra = pd.DataFrame(rows).set_index("code")
        extra["kind"] = PLACEHOLDER
        extra["depth"] = [int(self.frame.at[p, "depth"]) + 1 for p in extra["parent"]]
        return regions_from_frame(pd.concat([self.frame, extra]).reset_index(), "placeholders")

    def placeholder_for(self, code: str, name: str | None = None) -> dict | None:
        """The placeholder row a code like `1100xx` stands for, or None if it is no such code."""
        match = _PLACEHOLDER_CODE.match(code)
        if not match:
            return None
        province = match.group(1) + "0000"
        prefecture = code[:4] + "00"
        parent = prefecture if prefecture in self.frame.index and prefecture != province else None
        parent = parent or (province if province in self.frame.index else None)
        if parent is None:
            return None
        return {"code": code, "parent": parent, "name_zh": name or code}


def regions_from_frame(frame: pd.DataFrame, place: str) -> RegionTable:
    """Validate a region frame (columns: code, parent, kind, names, population ...) into a
    table. Depth is derived from the tree where it is not given."""
    f = frame.copy()
    if "code" not in f.columns:
        raise InputError(Problem(place, "no 'code' column", expected="code,parent,name,..."))
    f["code"] = f["code"].astype(str).str.strip()
    for column in COLUMNS:
        if column not in f.columns:
            f[column] = None
    if "name" in f.columns:
        # a plain `name` is Chinese where it is written in Chinese, else it is the English name
        name = f["name"].astype(object).map(_text_or_none)
        chinese = name.map(lambda n: isinstance(n, str) and bool(_CJK.search(n))).astype(bool)
        f["name_zh"] = f["name_zh"].where(f["name_zh"].notna(), name.where(chinese))
        f["name_en"] = f["name_en"].where(f["name_en"].notna(), name.where(~chinese))
    f = f.astype({c: object for c in COLUMNS})
    if "level" in f.columns and f["kind"].isna().all():
        # a level given as a tier name is the kind; as a number it is implied by the tree
        level = f["level"].astype(object)
        f["kind"] = level.where(pd.to_numeric(level, errors="coerce").isna(), None)
    f["parent"] = f["parent"].astype(object).map(_text_or_none)
    problems: list[Problem] = []
    duplicated = f["code"].duplicated()
    for row in f.index[duplicated]:
        problems.append(
            Problem(
                place,
                "region code given twice",
                value=f.at[row, "code"],
                row=int(row) + 2,
                column="code",
            )
        )
    codes = set(f["code"])
    for row, parent in f["parent"].items():
        if isinstance(parent, str) and parent not in codes:
            near = difflib.get_close_matches(parent, list(codes), n=1)
            problems.append(
                Problem(
                    place,
                    "parent is not a region of this table",
                    value=parent,
                    nearest=near[0] if near else None,
                    row=int(row) + 2,
                    column="parent",
                )
            )
    population = pd.to_numeric(f["population"], errors="coerce")
    bad = (population < 0) | (
        population.isna()
        & f["population"].notna()
        & (f["population"].astype(str).str.strip() != "")
    )
    for row in f.index[bad]:
        problems.append(
            Problem(
                place,
                "population must be a number >= 0",
                value=f.at[row, "population"],
                row=int(row) + 2,
                column="population",
            )
        )
    if problems:
        raise InputError(problems)
    f["population"] = population.astype(float)
    f = f.set_index("code")
    f["depth"] = _depths(f, place)
    f["kind"] = f["kind"].fillna(f["depth"].map(lambda d: f"level{d}"))
    for column in ("lon", "lat"):
        f[column] = pd.to_numeric(f[column], errors="coerce")
    f["population_year"] = pd.to_numeric(f["population_year"], errors="coerce").astype("Int16")
    return RegionTable(f[list(COLUMNS)])


def _text_or_none(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _depths(f: pd.DataFrame, place: str) -> pd.Series:
    """Depth of each region from the root, computed from parents; a cycle is an error."""
    depth = pd.Series(np.where(f["parent"].isna(), 0, -1), index=f.index)
    for _ in range(len(f) + 1):
        unknown = depth < 0
        if not unknown.any():
            return depth.astype(int)
        parent_depth = f.loc[unknown, "parent"].map(depth)
        resolved = parent_depth >= 0
        if not resolved.any():
            cycle = ", ".join(f.index[unknown][:5])
            raise InputError(
                Problem(
                    place,
                    f"parents form a cycle among {cycle}",
                    expected="a tree with one or more roots",
                )
            )
        depth.loc[parent_depth.index[resolved]] = parent_depth[resolved] + 1
    raise AssertionError("unreachable")
