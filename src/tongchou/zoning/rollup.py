"""Roll-up: a parent unit takes the highest level among its children.

The 17 February 2020 standard: a city's urban area (城区) takes the highest risk level among
its districts. The same holds at any depth: districts -> urban area -> city.
"""

from __future__ import annotations

import numpy as np

from tongchou.errors import InputError, Problem


def roll_up(levels: np.ndarray, parent: np.ndarray, n_levels: int) -> np.ndarray:
    """Levels (units, days) with each parent set to the highest level of its children.

    parent: (units,) index of each unit's parent row in the same array, -1 for none.
    A parent with no children keeps its own level. Undecided children (-1) make the parent
    undecided unless a decided child already has the top level (n_levels - 1). Parents of
    parents are filled from the bottom up.
    """
    levels = np.asarray(levels)
    parent = np.asarray(parent, dtype=np.intp)
    depth = _depths(parent, levels.shape[0])
    out = levels.copy()
    top = n_levels - 1
    for d in range(int(depth.max()), 0, -1):
        children = np.flatnonzero(depth == d)
        heads = parent[children]
        rows = np.unique(heads)
        best = np.full((len(rows), levels.shape[1]), -1, dtype=np.int16)
        unsure = np.zeros((len(rows), levels.shape[1]), dtype=bool)
        slot = np.searchsorted(rows, heads)
        np.maximum.at(best, slot, out[children].astype(np.int16))
        np.logical_or.at(unsure, slot, out[children] < 0)
        rolled = np.where(unsure & (best < top), -1, best)
        out[rows] = rolled.astype(out.dtype)
    return out


def _depths(parent: np.ndarray, n_units: int) -> np.ndarray:
    """Depth of each unit below its root (roots 0), or InputError for bad or cyclic links."""
    if parent.shape != (n_units,):
        raise InputError(
            Problem("parent", "wrong shape", value=parent.shape, expected=f"({n_units},)")
        )
    bad = (parent < -1) | (parent >= n_units)
    if bad.any():
        unit = int(np.flatnonzero(bad)[0])
        raise InputError(
            Problem(
                f"parent[{unit}]",
                "no such unit",
                value=int(parent[unit]),
                expected=f"-1 or 0 .. {n_units - 1}",
            )
        )
    depth = np.zeros(n_units, dtype=np.intp)
    ancestor = parent.copy()
    for _ in range(n_units + 1):
        climbing = ancestor >= 0
        if not climbing.any():
            return depth
        depth[climbing] += 1
        ancestor[climbing] = parent[ancestor[climbing]]
    unit = int(np.flatnonzero(ancestor >= 0)[0])
    raise InputError(Problem(f"parent[{unit}]", "the parent links form a cycle"))
