"""The numbers a bulletin publishes: each with its key, unit, labels and definition in Chinese
and English, and where it comes from in the day's assessment.

This list is the single source of the bulletin's table, its definitions section, its open
data columns and the JSON Schema of those (schema/bulletin-data-v1.schema.json, whose field
list a test holds equal to this one: a new number means a new schema version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tongchou.publish.labels import label
from tongchou.services.situation import Assessment
from tongchou.surveillance.rates import DEFINITIONS as RATE_DEFINITIONS

# kinds: count (persons), mean (persons a day), per_100k, proportion (0..1), per_day (a rate
# of growth), days, ratio (Rt), flag (true/false)


@dataclass(frozen=True)
class Number:
    key: str
    kind: str
    unit: str
    define_zh: str
    define_en: str
    values: Callable[[Assessment], np.ndarray]
    # the metric of the store it is read from; None for a number computed from those
    stored: str | None = None

    def label(self, lang: str) -> str:
        return label(self.key, lang)

    def definition(self, lang: str, assessment: Assessment | None = None) -> str:
        text = self.define_zh if lang == "zh" else self.define_en
        return text.format(**parameters(assessment)) if assessment is not None else text


def parameters(assessment: Assessment) -> dict[str, object]:
    """The settings of the day's engines that definitions quote."""
    si = assessment.serial_interval
    return {
        "window": assessment.rt.window,
        "si_mean": f"{si.mean:.1f}",
        "si_sd": f"{si.sd:.1f}",
        "si_source": si.source or "",
    }


def _counts(series: str) -> Callable[[Assessment], np.ndarray]:
    return lambda a: a.indicators.counts[series].daily


def _stored(metric: str) -> Callable[[Assessment], np.ndarray]:
    return lambda a: a.panel[metric]


def _rate(name: str) -> Callable[[Assessment], np.ndarray]:
    return lambda a: a.rates[name].value


def _growth(field: str) -> Callable[[Assessment], np.ndarray]:
    return lambda a: getattr(a.indicators.growth, field)


_NEW_RULE_ZH = (
    "当日累计数减前一日累计数；来源下调的累计数（病例订正、重新划归）按订正规则冲减此前各日，"
    "不记为负数"
)
_NEW_RULE_EN = (
    "the day's cumulative count minus the day before's; where the source lowered a cumulative "
    "count (corrected or reassigned cases), the revision rule takes the decrease off the "
    "earlier days instead of publishing a negative count"
)

NUMBERS: tuple[Number, ...] = (
    Number(
        "new_confirmed",
        "count",
        "persons",
        f"当日新增确诊病例数：{_NEW_RULE_ZH}。",
        f"New confirmed cases on the day: {_NEW_RULE_EN}.",
        _counts("confirmed"),
    ),
    Number(
        "confirmed",
        "count",
        "persons",
        "截至当日24时累计报告的确诊病例数，取自来源的报告；本地区无单独报告时为下辖地区之和。",
        "Confirmed cases reported up to the end of the day, as the source reports them; where "
        "a region has no report of its own, the sum of its subdivisions.",
        _stored("confirmed"),
        stored="confirmed",
    ),
    Number(
        "active",
        "count",
        "persons",
        "现有确诊病例数 = 累计确诊 − 累计治愈出院 − 累计死亡。",
        "Active cases = cumulative confirmed - cumulative cured and discharged - cumulative "
        "deaths.",
        lambda a: a.indicators.active,
    ),
    Number(
        "suspected",
        "count",
        "persons",
        "当日现有疑似病例数，取自来源的报告。",
        "Suspected cases under investigation on the day, as the source reports them.",
        _stored("suspected"),
        stored="suspected",
    ),
    Number(
        "cured",
        "count",
        "persons",
        "截至当日累计治愈出院病例数。",
        "Cumulative cases cured and discharged from hospital.",
        _stored("cured"),
        stored="cured",
    ),
    Number(
        "new_cured",
        "count",
        "persons",
        f"当日新增治愈出院病例数：{_NEW_RULE_ZH}。",
        f"Cases cured and discharged on the day: {_NEW_RULE_EN}.",
        _counts("cured"),
    ),
    Number(
        "dead",
        "count",
        "persons",
        "截至当日累计死亡病例数。",
        "Cumulative deaths.",
        _stored("dead"),
        stored="dead",
    ),
    Number(
        "new_dead",
        "count",
        "persons",
        f"当日新增死亡病例数：{_NEW_RULE_ZH}。",
        f"Deaths on the day: {_NEW_RULE_EN}.",
        _counts("dead"),
    ),
    Number(
        "new_confirmed_7d_mean",
        "mean",
        "persons per day",
        "截至当日（含）最近7天新增确诊病例的日均数；7天中有缺报日时空缺。",
        "Mean daily new confirmed cases over the 7 days ending on the day; missing when a day "
        "of the window has no report.",
        lambda a: a.indicators.mean7,
    ),
    Number(
        "incidence_7d_per_100k",
        "per_100k",
        "cases per 100,000",
        "最近7天新增确诊病例数 ÷ 常住人口 × 10万。",
        "New confirmed cases over the last 7 days per 100,000 resident population.",
        lambda a: a.indicators.incidence7,
    ),
    Number(
        "incidence_14d_per_100k",
        "per_100k",
        "cases per 100,000",
        "最近14天新增确诊病例数 ÷ 常住人口 × 10万。",
        "New confirmed cases over the last 14 days per 100,000 resident population.",
        lambda a: a.indicators.incidence14,
    ),
    Number(
        "growth_rate",
        "per_day",
        "per day",
        "新增确诊病例的指数增长率：最近14天 log(日新增+0.5) 对日期的线性回归斜率；负值表示下降。",
        "Exponential growth rate of new confirmed cases: the slope of a log-linear regression "
        "of log(daily new + 0.5) on the day over the last 14 days; negative when falling.",
        _growth("rate"),
    ),
    Number(
        "growth_lower",
        "per_day",
        "per day",
        "增长率的95%置信区间下限。",
        "Lower end of the growth rate's 95% confidence interval.",
        _growth("lower"),
    ),
    Number(
        "growth_upper",
        "per_day",
        "per day",
        "增长率的95%置信区间上限。",
        "Upper end of the growth rate's 95% confidence interval.",
        _growth("upper"),
    ),
    Number(
        "doubling_days",
        "days",
        "days",
        "倍增时间 = ln2 ÷ 增长率，仅在增长率显著大于0时给出。",
        "Doubling time = ln 2 / growth rate, given only when the growth rate is significantly "
        "above 0.",
        _growth("doubling_time"),
    ),
    Number(
        "halving_days",
        "days",
        "days",
        "减半时间 = ln2 ÷ |增长率|，仅在增长率显著小于0时给出。",
        "Halving time = ln 2 / |growth rate|, given only when the growth rate is significantly "
        "below 0.",
        _growth("halving_time"),
    ),
    Number(
        "days_since_last_case",
        "days",
        "days",
        "距最近一个有新增确诊病例之日的天数（当日有新增为0）；缺报日按无已知病例计。",
        "Days since the last day with a new confirmed case (0 when the day has one); a day "
        "without a report counts as a day without a known case.",
        lambda a: a.indicators.days_since_last_case,
    ),
    Number(
        "rt",
        "ratio",
        "secondary cases per case",
        "实时再生数Rt：截至当日{window}天窗口内的后验均值（Cori等2013年方法，与EpiEstim一致），"
        "代际间隔为伽马分布，均值{si_mean}天、标准差{si_sd}天（{si_source}）。Rt<1表示疫情在缩小。",
        "Instantaneous reproduction number Rt: posterior mean over the {window}-day window "
        "ending on the day (Cori et al. 2013, as EpiEstim computes it), with a gamma serial "
        "interval of mean {si_mean} and SD {si_sd} days ({si_source}). Below 1 the epidemic "
        "shrinks.",
        lambda a: a.rt.mean,
    ),
    Number(
        "rt_lower",
        "ratio",
        "secondary cases per case",
        "Rt后验分布的2.5%分位数（95%可信区间下限）。",
        "2.5% quantile of Rt's posterior (lower end of the 95% credible interval).",
        lambda a: a.rt.quantile(0.025),
    ),
    Number(
        "rt_upper",
        "ratio",
        "secondary cases per case",
        "Rt后验分布的97.5%分位数（95%可信区间上限）。",
        "97.5% quantile of Rt's posterior (upper end of the 95% credible interval).",
        lambda a: a.rt.quantile(0.975),
    ),
    Number(
        "rt_few_cases",
        "flag",
        "true/false",
        "估计窗口内病例过少，Rt不确定性大。",
        "Too few cases in the window: Rt is very uncertain.",
        lambda a: a.rt.few_cases,
    ),
    Number(
        "rt_window_has_jump",
        "flag",
        "true/false",
        "估计窗口或其前一个代际间隔内有统计口径跳变（如2020年2月12日湖北纳入临床诊断病例），"
        "该Rt请审慎解读。",
        "A reporting jump (such as Hubei counting clinically diagnosed cases from 12 February "
        "2020) lies in the window or within a serial interval before it: read this Rt with care.",
        lambda a: a.rt_jump,
    ),
    Number(
        "admission_rate",
        "proportion",
        "proportion",
        "收治率 = 累计收治入院的确诊病例 ÷ 累计确诊病例；来源未报告收治数时空缺。",
        RATE_DEFINITIONS["admission_rate"],
        _rate("admission_rate"),
    ),
    Number(
        "cure_rate",
        "proportion",
        "proportion",
        "治愈率 = 累计治愈出院 ÷ 累计确诊（官方口径，分母含现有病例，疫情结束时趋于上升）。",
        RATE_DEFINITIONS["cure_rate"],
        _rate("cure_rate"),
    ),
    Number(
        "closed_cure_rate",
        "proportion",
        "proportion",
        "已结案治愈率 = 累计治愈 ÷（累计治愈 + 累计死亡）：结局已知病例中治愈的比例。",
        RATE_DEFINITIONS["closed_cure_rate"],
        _rate("closed_cure_rate"),
    ),
    Number(
        "infection_rate",
        "per_100k",
        "cases per 100,000",
        "感染率 = 累计确诊病例 ÷ 常住人口 × 10万；只计确诊感染者。",
        RATE_DEFINITIONS["infection_rate"],
        _rate("infection_rate"),
    ),
    Number(
        "naive_fatality_rate",
        "proportion",
        "proportion",
        "粗病亡率 = 累计死亡 ÷ 累计确诊（同日）；疫情上升期偏低，因近期病例结局未到。",
        RATE_DEFINITIONS["naive_fatality_rate"],
        _rate("naive_fatality_rate"),
    ),
    Number(
        "adjusted_fatality_rate",
        "proportion",
        "proportion",
        "时滞校正病亡率 = 累计死亡 ÷ 按确诊至死亡时滞分布折算的“结局应已知”的累计确诊数"
        "（Nishiura等2009；Russell等2020；时滞分布取Linton等2020）。",
        RATE_DEFINITIONS["adjusted_fatality_rate"],
        _rate("adjusted_fatality_rate"),
    ),
)

BY_KEY: dict[str, Number] = {n.key: n for n in NUMBERS}
STORED = tuple(n.stored for n in NUMBERS if n.stored)
# Numbers that are flags, published as true/false rather than figures.
FLAGS = tuple(n.key for n in NUMBERS if n.kind == "flag")


def number_arrays(assessment: Assessment, keys=None) -> dict[str, np.ndarray]:
    """Each published number (or those of `keys`) for every region and day, (regions, days)."""
    chosen = NUMBERS if keys is None else [BY_KEY[k] for k in keys]
    return {n.key: np.asarray(n.values(assessment)) for n in chosen}
