"""How the bulletin writes numbers and dates in Chinese and English (the page's static parts
and the press release; bulletin.js follows the same rules for what it draws)."""

from __future__ import annotations

import datetime as dt

NOT_REPORTED = {"zh": "未报告", "en": "not reported"}


def count(value, lang: str) -> str:
    """A whole number: 77262 in Chinese notices, 77,262 in English."""
    if value is None:
        return NOT_REPORTED[lang]
    return f"{round(value):d}" if lang == "zh" else f"{round(value):,d}"


def grouped(value, lang: str) -> str:
    """A whole number with thousands grouped, for figures set large: 77,262."""
    return NOT_REPORTED[lang] if value is None else f"{round(value):,d}"


def moment(value: str | None) -> str:
    """An ISO time as 2020-02-24 08:00 UTC (or as given, where it has no zone)."""
    if not value:
        return ""
    when = dt.datetime.fromisoformat(str(value))
    if when.tzinfo is not None:
        return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return when.strftime("%Y-%m-%d %H:%M")


def decimal(value, lang: str, digits: int = 2) -> str:
    if value is None:
        return NOT_REPORTED[lang]
    return f"{value:.{digits}f}" if lang == "zh" else f"{value:,.{digits}f}"


def percent(value, lang: str, digits: int = 1) -> str:
    if value is None:
        return NOT_REPORTED[lang]
    return f"{100 * value:.{digits}f}%"


def signed(value, lang: str, digits: int = 0) -> str:
    """A change with its sign: +416, −38 (a true minus sign), ±0."""
    if value is None:
        return ""
    if round(value, digits) == 0:
        return "±0"
    text = count(abs(value), lang) if digits == 0 else decimal(abs(value), lang, digits)
    return ("+" if value > 0 else "\u2212") + text


def change_words(value, lang: str, unit_zh: str = "例") -> str:
    """A change in words: 增加416例 / 减少38例 / 持平; up 416 / down 38 / unchanged."""
    if value is None:
        return ""
    if value == 0:
        return "持平" if lang == "zh" else "unchanged"
    if lang == "zh":
        return f"{'增加' if value > 0 else '减少'}{count(abs(value), lang)}{unit_zh}"
    return f"{'up' if value > 0 else 'down'} {count(abs(value), lang)}"


def day(value: str | dt.date, lang: str, *, year: bool = True) -> str:
    """2020年2月23日 / 23 February 2020."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if lang == "zh":
        return f"{date.year}年{date.month}月{date.day}日" if year else f"{date.month}月{date.day}日"
    text = f"{date.day} {date:%B}"
    return f"{text} {date.year}" if year else text


FILTERS = {
    "count": count,
    "grouped": grouped,
    "moment": moment,
    "decimal": decimal,
    "percent": percent,
    "signed": signed,
    "change_words": change_words,
    "day": day,
}
