"""The press release: the bulletin's numbers as a health commission's daily notice, in Chinese
and English Markdown, and the one-paragraph summary that opens the page."""

from __future__ import annotations

from tongchou.publish import formats
from tongchou.publish.templating import environment

LANGS = ("zh", "en")


def place(content: dict, lang: str) -> str:
    """How the notice names its scope: 全国 for the nation, else the full name."""
    scope = content["scope"]
    if scope["depth"] == 0 and lang == "zh":
        return "全国"
    return scope["full_name"][lang]


def figures(content: dict) -> dict[str, dict]:
    return {f["key"]: f for f in [*content["headline"], *content["rates"], *content["rt"]]}


def rt_reading(content: dict) -> dict[str, str] | None:
    """Rt with its interval and what it says, or None without an estimate."""
    f = figures(content)
    value, lower, upper = (f[k]["value"] for k in ("rt", "rt_lower", "rt_upper"))
    if value is None:
        return None
    interval = f"{lower:.2f}–{upper:.2f}"
    if upper < 1:
        trend = {"zh": "低于1，疫情呈下降态势", "en": "below 1: the epidemic is shrinking"}
    elif lower > 1:
        trend = {"zh": "高于1，疫情仍在扩散", "en": "above 1: the epidemic is still growing"}
    else:
        trend = {"zh": "在1附近，尚不能判断升降", "en": "around 1: not yet clearly up or down"}
    caution = {"zh": "", "en": ""}
    if f["rt_window_has_jump"]["value"]:
        caution = {
            "zh": "（估计窗口内有统计口径跳变，请审慎解读）",
            "en": " (a reporting jump lies in the window: read with care)",
        }
    elif f["rt_few_cases"]["value"]:
        caution = {"zh": "（病例较少，不确定性大）", "en": " (few cases: very uncertain)"}
    return {
        "zh": f"实时再生数Rt为{value:.2f}（95%可信区间{interval}），{trend['zh']}{caution['zh']}",
        "en": f"The reproduction number Rt is {value:.2f} (95% credible interval {interval}), "
        f"{trend['en']}{caution['en']}",
    }


def lede(content: dict) -> dict[str, str]:
    """The opening paragraph of the page, in both languages."""
    f = figures(content)
    new, active = f["new_confirmed"], f["active"]
    date_zh = formats.day(content["as_of"], "zh", year=False)
    date_en = formats.day(content["as_of"], "en")
    zh = f"{date_zh}0—24时，{place(content, 'zh')}"
    en = f"On {date_en}, {place(content, 'en')}"
    if new["value"] is None:
        zh += "未报告新增确诊病例数"
        en += " reported no count of new confirmed cases"
    else:
        zh += f"新增确诊病例{formats.count(new['value'], 'zh')}例"
        en += f" reported {formats.count(new['value'], 'en')} new confirmed cases"
        if new.get("change") is not None:
            zh += f"，较前一日{formats.change_words(new['change'], 'zh')}"
            en += f", {formats.change_words(new['change'], 'en')} from the day before"
    if active["value"] is not None:
        zh += f"；现有确诊病例{formats.count(active['value'], 'zh')}例"
        en += f"; {formats.count(active['value'], 'en')} cases are active"
    zh += "。"
    en += "."
    reading = rt_reading(content)
    if reading:
        zh += reading["zh"] + "。"
        en += " " + reading["en"] + "."
    return {"zh": zh, "en": en}


def region_lines(content: dict, limit: int = 10) -> list[dict]:
    """The units below the scope with the most new confirmed cases on the day."""
    table = content["table"]
    depth = content["scope"]["depth"] + 1
    rows = [
        i
        for i, d in enumerate(table["depth"])
        if d == depth and table["kind"][i] != "placeholder" and table["new_confirmed"][i]
    ]
    rows.sort(key=lambda i: -table["new_confirmed"][i])
    return [
        {
            "zh": table["name_zh"][i],
            "en": table["name_en"][i],
            "new": table["new_confirmed"][i],
            "confirmed": table["confirmed"][i],
        }
        for i in rows[:limit]
    ]


def press_release(content: dict, lang: str, downloads: list[dict] | None = None) -> str:
    """The day's notice in `lang` (zh or en), as Markdown."""
    template = environment().get_template(f"press.{lang}.md.j2")
    zones = content["zones"]
    return template.render(
        c=content,
        f=figures(content),
        place=place(content, lang),
        rt=rt_reading(content),
        regions=region_lines(content),
        zone_rows=zone_rows(zones) if zones else [],
        downloads=downloads or [],
        lang=lang,
    )


DEPTH_NAMES = {
    1: ("省级单位", "provinces"),
    2: ("地市级单位", "prefecture-level units"),
    3: ("县区级单位", "county-level units"),
}


def depth_name(depth: int) -> dict[str, str]:
    zh, en = DEPTH_NAMES.get(depth, (f"第{depth}级单位", f"units of level {depth}"))
    return {"zh": zh, "en": en}


def zone_rows(zones: dict) -> list[dict]:
    """Units per level at each depth zoned: counts highest level first, and the undecided."""
    rows = []
    for depth, counts in sorted(zones["counts"].items(), key=lambda kv: int(kv[0])):
        levels = [
            {"zh": lv["zh"], "en": lv["en"], "count": counts[lv["id"]]}
            for lv in reversed(zones["levels"])
        ]
        rows.append(
            {
                "name": depth_name(int(depth)),
                "levels": levels,
                "undecided": counts.get("undecided", 0),
            }
        )
    return rows
