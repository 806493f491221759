"""Column labels in Chinese and English, shared by the command line and the bulletin."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "name": ("名称", "name"),
    "population": ("人口", "population"),
    "confirmed": ("累计确诊", "cumulative confirmed"),
    "new": ("新增确诊", "new confirmed"),
    "new_7d_mean": ("新增7日均值", "new, 7-day mean"),
    "new_confirmed": ("新增确诊", "new confirmed"),
    "new_confirmed_7d_mean": ("新增确诊7日均值", "new confirmed, 7-day mean"),
    "new_cured": ("新增治愈出院", "newly cured"),
    "new_dead": ("新增死亡", "new deaths"),
    "risk_level": ("风险等级", "risk level"),
    "incidence_7d_per_100k": ("7日每10万发病", "7-day incidence /100k"),
    "incidence_14d_per_100k": ("14日每10万发病", "14-day incidence /100k"),
    "active": ("现有确诊", "active cases"),
    "suspected": ("现有疑似", "suspected cases"),
    "cured": ("累计治愈", "cured and discharged"),
    "dead": ("累计死亡", "deaths"),
    "growth_rate": ("增长率/日", "growth rate /day"),
    "growth_lower": ("增长率下限", "growth lower"),
    "growth_upper": ("增长率上限", "growth upper"),
    "doubling_days": ("倍增时间(天)", "doubling time (d)"),
    "halving_days": ("减半时间(天)", "halving time (d)"),
    "days_since_last_case": ("距末例天数", "days since last case"),
    "rt": ("Rt (95%可信区间)", "Rt (95% CrI)"),
    "rt_lower": ("Rt下限(2.5%)", "Rt 2.5%"),
    "rt_upper": ("Rt上限(97.5%)", "Rt 97.5%"),
    "rt_few_cases": ("病例过少", "few cases"),
    "rt_window_has_jump": ("窗口含口径跳变", "window has a reporting jump"),
    "admission_rate": ("收治率", "admission rate"),
    "cure_rate": ("治愈率", "cure rate"),
    "closed_cure_rate": ("治愈率(结案)", "cure rate (closed cases)"),
    "infection_rate": ("感染率(每10万)", "infection rate /100k"),
    "naive_fatality_rate": ("病亡率(粗)", "fatality rate (naive)"),
    "adjusted_fatality_rate": ("病亡率(校正)", "fatality rate (delay-adjusted)"),
    "metric": ("指标", "metric"),
    "label": ("指标", "metric"),
    "value": ("数值", "value"),
    "previous": ("前一日", "day before"),
    "change": ("变化", "change"),
    "share": ("占比", "share"),
    "units": ("单位数", "units"),
}


def label(column: str, lang: str) -> str:
    zh, en = LABELS.get(column, (column, column))
    return zh if lang == "zh" else en
