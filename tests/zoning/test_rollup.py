import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongchou.errors import InputError
from tongchou.zoning import roll_up


def test_a_city_takes_the_highest_level_of_its_districts():
    # rows: 0 city urban area, 1-3 its districts, 4 a county with no children
    levels = np.array([[0, 0], [0, 1], [2, 0], [1, 1], [1, 2]])
    parent = np.array([-1, 0, 0, 0, -1])
    out = roll_up(levels, parent, n_levels=3)
    assert out[0].tolist() == [2, 1]
    assert out[1:].tolist() == levels[1:].tolist()


def test_roll_up_climbs_several_tiers():
    # 0 province <- 1 city <- 2, 3 districts; 4 another city of the province
    levels = np.array([[0], [0], [0], [2], [1]])
    parent = np.array([-1, 0, 1, 1, 0])
    assert roll_up(levels, parent, 3)[:, 0].tolist() == [2, 2, 0, 2, 1]


def test_an_undecided_child_leaves_the_parent_undecided_unless_it_is_already_top():
    levels = np.array([[0, 0], [-1, -1], [1, 2]])
    parent = np.array([-1, 0, 0])
    assert roll_up(levels, parent, 3)[0].tolist() == [-1, 2]


def test_bad_parent_links_are_input_errors():
    with pytest.raises(InputError, match=r"parent\[1\]: no such unit"):
        roll_up(np.zeros((2, 1), dtype=int), np.array([-1, 5]), 3)
    with pytest.raises(InputError, match="form a cycle"):
        roll_up(np.zeros((2, 1), dtype=int), np.array([1, 0]), 3)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_every_parent_is_the_highest_of_its_children(data):
    n = data.draw(st.integers(2, 12))
    # Parents always come earlier in the list, so the links form a forest.
    parent = np.array([-1] + [data.draw(st.integers(-1, i - 1)) for i in range(1, n)])
    levels = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))[:, None]
    out = roll_up(levels, parent, 4)
    for unit in range(n):
        children = np.flatnonzero(parent == unit)
        if len(children):
            assert out[unit, 0] == out[children, 0].max()
        else:
            assert out[unit, 0] == levels[unit, 0]
