"""The bulletin's page: what the template shows, in both languages, made from the content.

The page carries its content as JSON for the charts, the map and the table (drawn by
bulletin.js); headline figures, zones, measures, definitions and sources are written into
the HTML itself, so that they read without scripts.
"""

from __future__ import annotations

import json

from tongchou.publish import formats
from tongchou.publish.press import depth_name, lede, place, zone_rows
from tongchou.publish.templating import environment

LANGS = ("zh", "en")
MAP_LEVELS = {
    "province": {"depth": 1, "zh": "省级", "en": "Provinces"},
    "prefecture": {"depth": 2, "zh": "地市级", "en": "Prefectures"},
    "county": {"depth": 3, "zh": "县区级", "en": "Counties"},
}
MAP_LAYERS = (
    {"id": "risk", "zh": "风险等级", "en": "Risk level"},
    {"id": "confirmed", "zh": "累计确诊", "en": "Cumulative cases"},
    {"id": "incidence_14d_per_100k", "zh": "14天每10万新增", "en": "14-day cases /100k"},
)


def _both(render) -> dict[str, str]:
    return {lang: render(lang) for lang in LANGS}


def _rate_text(figure: dict, lang: str) -> str:
    value = figure["value"]
    if figure["key"] == "infection_rate":
        return formats.decimal(value, lang)
    return formats.percent(value, lang, 2 if "fatality" in figure["key"] else 1)


def _rate_change(figure: dict, lang: str) -> str:
    change = figure.get("change")
    if change is None:
        return ""
    if figure["key"] == "infection_rate":
        return formats.signed(change, lang, 2)
    points = "个百分点" if lang == "zh" else " points"
    return formats.signed(100 * change, lang, 2) + points


def _rt(content: dict) -> dict:
    figures = {f["key"]: f for f in content["rt"]}
    value = figures["rt"]["value"]
    if value is None:
        text = {"zh": "数据不足", "en": "too few data"}
        note = {"zh": "", "en": ""}
    else:
        interval = f"{figures['rt_lower']['value']:.2f}–{figures['rt_upper']['value']:.2f}"
        text = {"zh": f"{value:.2f}", "en": f"{value:.2f}"}
        note = {"zh": f"95%可信区间 {interval}", "en": f"95% credible interval {interval}"}
    caution = None
    if value is not None and figures["rt_window_has_jump"]["value"]:
        caution = {
            "zh": "窗口内有统计口径跳变，请审慎解读",
            "en": "a reporting jump lies in the window",
        }
    elif value is not None and figures["rt_few_cases"]["value"]:
        caution = {"zh": "病例较少，不确定性大", "en": "few cases: very uncertain"}
    if caution:
        note = {"zh": f"{note['zh']}；{caution['zh']}", "en": f"{note['en']}; {caution['en']}"}
    return {"value": value, "text": text, "note": note}


def _labels(content: dict) -> dict[str, dict]:
    return {n["key"]: n["label"] for n in content["numbers"]}


def _table_levels(content: dict) -> list[dict]:
    depths = content["table"]["depth"]
    scope_depth = content["scope"]["depth"]
    counts: dict[int, int] = {}
    for depth, kind in zip(depths, content["table"]["kind"], strict=True):
        if depth > scope_depth and kind != "placeholder":
            counts[depth] = counts.get(depth, 0) + 1
    levels = []
    for depth in sorted(counts):
        name = depth_name(depth)
        short = {"zh": name["zh"].removesuffix("单位"), "en": name["en"].capitalize()}
        levels.append({"depth": depth, **short, "count": counts[depth]})
    return levels


def _zones(content: dict) -> dict | None:
    zones = content["zones"]
    if zones is None:
        return None
    rows = zone_rows(zones)
    count_rows = [
        {
            **row["name"],
            "levels": [lv["count"] for lv in reversed(row["levels"])],
            "undecided": row["undecided"],
        }
        for row in rows
    ]
    changes = [{**ch, "name": content["names"][ch["code"]]} for ch in zones["changes"]]
    order = {"up": 0, "start": 1, "down": 2}
    changes.sort(key=lambda ch: (order.get(ch["direction"], 3), -ch["depth"]))
    return {**zones, "count_rows": count_rows, "changes": changes}


def page_context(
    content: dict,
    lang: str,
    *,
    assets: str,
    downloads: list[dict],
    map_files: dict[str, dict] | None,
    references: list[dict],
    archive: str | None = None,
) -> dict:
    """Everything the page template needs; `map_files`: the outline files by level
    (tongchou.publish.maps), None where no map is drawn."""
    labels = _labels(content)
    headline = [{**f, "label": labels[f["key"]]} for f in content["headline"][:6]]
    rates = [
        {
            **f,
            "label": labels[f["key"]],
            "text": _both(lambda lang, f=f: _rate_text(f, lang)),
            "change_text": _both(lambda lang, f=f: _rate_change(f, lang))
            if f.get("change") is not None
            else None,
        }
        for f in content["rates"]
    ]
    named = _both(lambda lang: place(content, lang))
    titles = {
        "zh": f"{named['zh']}疫情通报 {formats.day(content['as_of'], 'zh')}",
        "en": f"Situation in {named['en']}, {formats.day(content['as_of'], 'en')}",
    }
    page_map = None
    if map_files:
        levels = [{"id": level, **MAP_LEVELS[level]} for level in map_files]
        layers = [layer for layer in MAP_LAYERS if layer["id"] != "risk" or content["zones"]]
        page_map = {"levels": levels, "layers": layers, "files": map_files}
    forecast = content["forecast"]
    entry = forecast["regions"].get(content["scope"]["code"]) if forecast else None
    # patients in hospital are shown only from a reported census: estimated from cases alone,
    # under assumptions that may not hold where every case was admitted, they could contradict
    # the active cases beside them
    forecast_beds = bool(entry) and entry["census_from"] != "estimated from cases"
    forecast_note = {
        "zh": "按截至当日的Rt后验分布与代际间隔，用更新方程向前推算1000条路径（Cori等2013；"
        "分位数按Forecast Hub格式）。预测为模型推算，不是目标，也不是承诺。",
        "en": "Renewal of the cases with the Rt posterior of the last window and the serial "
        "interval, 1,000 sample paths (Cori et al. 2013; quantiles as the Forecast Hub gives "
        "them). A forecast is a model's projection, not a target or a promise.",
    }
    data = {**content, "map": page_map, "lang": lang, "titles": titles}
    return {
        "c": content,
        "lang": lang,
        "assets": assets,
        "archive": archive,
        "titles": titles,
        "place": named,
        "lede": lede(content),
        "headline": headline,
        "rates": rates,
        "rt": _rt(content),
        "names": content["names"],
        "numbers": labels,
        "map": page_map,
        "table_levels": _table_levels(content),
        "downloads": downloads,
        "references": references,
        "forecast_note": forecast_note,
        "forecast_beds": forecast_beds,
        "data_json": script_json(data),
        **({"c": {**content, "zones": _zones(content)}} if content["zones"] else {}),
    }


def script_json(data: dict) -> str:
    """JSON safe inside a <script> element: no '</' can close it early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_page(context: dict) -> str:
    return environment().get_template("bulletin.html.j2").render(**context)
