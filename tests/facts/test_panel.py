import numpy as np
import pandas as pd
import pytest

from tongchou.facts.metrics import builtin_metrics
from tongchou.facts.panel import Panel, carry_forward, fill_from_children

nan = np.nan


def panel_of(confirmed, suspected) -> Panel:
    values = np.stack([np.array(confirmed, float), np.array(suspected, float)], axis=2)
    return Panel(
        pd.Index(["X", "A", "B", "A1", "A2"]),
        pd.date_range("2020-02-01", periods=3),
        ("confirmed", "suspected"),
        values,
        np.zeros(values.shape, bool),
    )


def test_parents_without_a_report_get_their_childrens_sum_deepest_first(tiny_regions):
    regions = tiny_regions
    confirmed = [[nan] * 3, [nan] * 3, [1, 2, 2], [5, 7, nan], [1, nan, 4]]
    suspected = [[nan] * 3, [9, nan, nan], [nan] * 3, [1, 2, 3], [nan] * 3]
    filled = fill_from_children(panel_of(confirmed, suspected), regions, builtin_metrics())
    # cumulative counts carry a child's last report over its gap days
    assert filled["confirmed"][1].tolist() == [6, 8, 11]
    assert filled["confirmed"][0].tolist() == [7, 10, 13]
    # a stock is not carried: only reported children count; A's own report stands
    assert filled["suspected"][1].tolist() == [9, 2, 3]
    assert filled.aggregated[1, :, 0].all() and not filled.aggregated[1, 0, 1]
    assert filled.aggregated[1, 1:, 1].all()
    assert np.isnan(filled["confirmed"][3, 2])  # a child's own gap is not filled


def test_carry_forward_keeps_leading_gaps():
    values = np.array([[nan, 1, nan, nan, 3, nan]])
    assert np.array_equal(carry_forward(values), [[nan, 1, 1, 1, 3, 3]], equal_nan=True)


def test_a_panel_labels_its_arrays():
    p = panel_of([[1, 2, 3]] * 5, [[nan] * 3] * 5)
    assert p.frame("confirmed").loc["A1"].tolist() == [1, 2, 3]
    assert p.day("2020-02-02") == 1 and p.row("B") == 2
    long = p.long()
    assert len(long) == 15 and set(long["metric"]) == {"confirmed"}
    with pytest.raises(Exception, match="not in this panel"):
        p["dead"]
