import pandas as pd
import pytest

from tongchou.errors import InputError, NotFound
from tongchou.geo.china import china_regions
from tongchou.geo.regions import PLACEHOLDER, regions_from_frame, strip_suffix


@pytest.fixture(scope="module")
def china():
    return china_regions()


def test_lookup_by_code_chinese_name_english_name_and_pinyin(china):
    assert china.lookup("420100") == "420100"
    assert china.lookup("武汉市") == "420100"
    assert china.lookup("武汉") == "420100"
    assert china.lookup("Wuhan") == "420100"
    assert china.lookup("wuhan") == "420100"
    assert china.lookup("hubei") == "420000"


def test_a_municipality_name_means_the_municipality_not_its_city_unit(china):
    assert china.lookup("北京市") == "110000"
    assert china.full_name("110101") == "北京市东城区"


def test_unknown_name_suggests_the_closest(china):
    with pytest.raises(NotFound) as caught:
        china.lookup("wuhn")
    assert caught.value.suggestions[0].startswith("420100")


def test_ambiguous_name_lists_the_candidates_and_within_narrows_it(china):
    with pytest.raises(NotFound, match="ambiguous.*110105.*220104"):
        china.lookup("朝阳区")
    assert china.lookup("朝阳区", within="110000") == "110105"


def test_tree_navigation(china):
    assert china.ancestors("420102") == ["420100", "420000", "CN"]
    assert "420100" in china.children("420000")
    assert len(china.select(depth=1)) == 34
    assert "429004" in china.leaves(within="420000")  # 仙桃, a directly administered city
    assert "420100" not in china.leaves()


def test_placeholder_codes_become_units_of_their_own_kind(china):
    row = china.placeholder_for("1100xy", "外地来京")
    assert row == {"code": "1100xy", "parent": "110000", "name_zh": "外地来京"}
    assert china.placeholder_for("420100") is None
    extended = china.with_placeholders([row])
    assert extended.frame.at["1100xy", "kind"] == PLACEHOLDER
    assert "1100xy" not in extended.leaves()
    assert "1100xy" not in extended.select(depth=3)


def test_strip_suffix_keeps_two_character_names():
    assert strip_suffix("武汉市") == "武汉"
    assert strip_suffix("城区") == "城区"
    assert strip_suffix("内蒙古自治区") == "内蒙古"


def test_a_tree_from_any_country(china):
    frame = pd.DataFrame(
        {
            "code": ["FR", "FR-IDF", "FR-75"],
            "parent": [None, "FR", "FR-IDF"],
            "name": ["France", "Île-de-France", "Paris"],
            "level": ["nation", "region", "department"],
            "population": [68e6, 12.3e6, 2.1e6],
        }
    )
    table = regions_from_frame(frame, "fr.csv")
    assert table.frame["depth"].tolist() == [0, 1, 2]
    assert table.frame["kind"].tolist() == ["nation", "region", "department"]
    assert table.lookup("paris") == "FR-75"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["A", None], ["A", None]], "A.*given twice|given twice.*'A'"),
        ([["A", None], ["B", "Z"]], "parent is not a region"),
        ([["A", "B"], ["B", "A"]], "cycle"),
    ],
)
def test_bad_trees_are_refused_with_the_place(rows, message):
    frame = pd.DataFrame(rows, columns=["code", "parent"])
    with pytest.raises(InputError, match=message) as caught:
        regions_from_frame(frame, "tree.csv")
    assert "tree.csv" in str(caught.value)


def test_negative_population_is_refused_with_row_and_column():
    frame = pd.DataFrame({"code": ["A"], "parent": [None], "population": ["-5"]})
    with pytest.raises(InputError, match=r"tree.csv:2:population"):
        regions_from_frame(frame, "tree.csv")
