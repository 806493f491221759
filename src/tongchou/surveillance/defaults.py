"""Published COVID-19 delay distributions, each with its source, for use as defaults.

They are data about one disease in one period: a region or another disease should pass its
own. Every figure below is as published unless the note says how it was derived.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from tongchou.surveillance.serial_interval import SerialInterval


@dataclass(frozen=True)
class PublishedDelay:
    """A delay distribution as a paper reports it: family, mean and SD in days."""

    quantity: str
    family: str
    mean: float
    sd: float
    source: str
    population: str
    mean_interval: tuple[float, float] | None = None
    note: str = ""

    def distribution(self) -> stats.rv_continuous:
        """The continuous distribution with this family, mean and SD (frozen scipy)."""
        if self.family == "gamma":
            shape = (self.mean / self.sd) ** 2
            return stats.gamma(shape, scale=self.mean / shape)
        if self.family == "lognormal":
            sdlog = math.sqrt(math.log1p((self.sd / self.mean) ** 2))
            return stats.lognorm(sdlog, scale=math.exp(math.log(self.mean) - sdlog**2 / 2))
        if self.family == "normal":
            return stats.norm(self.mean, self.sd)
        raise ValueError(f"no continuous form for family {self.family!r}")

    def serial_interval(self) -> SerialInterval:
        """This delay as a discrete serial interval, discretised as EpiEstim's ``discr_si``
        does (a gamma shifted by one day with this mean and SD)."""
        return SerialInterval.from_gamma(
            self.mean, self.sd, source=f"{self.quantity}: {self.source}"
        )


SERIAL_INTERVAL_LI_2020 = PublishedDelay(
    quantity="serial interval",
    family="gamma",
    mean=7.5,
    sd=3.4,
    mean_interval=(5.3, 19.0),
    source="Li Q et al. 2020, Early transmission dynamics in Wuhan, China, of novel "
    "coronavirus-infected pneumonia. N Engl J Med 382:1199-1207, doi:10.1056/NEJMoa2001316",
    population="infector-infectee pairs among the first 425 confirmed cases in Wuhan, "
    "December 2019 - January 2020",
)

SERIAL_INTERVAL_ALI_2020 = PublishedDelay(
    quantity="serial interval",
    family="normal",
    mean=5.09,
    sd=5.26,
    source="Ali ST et al. 2020, Serial interval of SARS-CoV-2 was shortened over time by "
    "nonpharmaceutical interventions. Science 369:1106-1109, doi:10.1126/science.abc9004; "
    "Table S1 (github PDGLin/COVID19_EffSerialInterval_NPI, MIT)",
    population="679 infector-infectee pairs with both onset dates from public case reports "
    "in mainland China, 9 January - 13 February 2020",
    note="Sample mean and SD of the 679 pairs; 54 of them are negative (infectee onset first), "
    "so it has no EpiEstim form. Ali et al. report the mean falling from 7.8 d to 2.6 d over "
    "the period as isolation sped up.",
)

INCUBATION_LI_2020 = PublishedDelay(
    quantity="incubation period",
    family="lognormal",
    mean=5.2,
    sd=3.9,
    mean_interval=(4.1, 7.0),
    source="Li Q et al. 2020, N Engl J Med 382:1199-1207, doi:10.1056/NEJMoa2001316",
    population="cases with known exposure among the first 425 confirmed cases in Wuhan",
    note="The paper gives the mean (5.2 d) and the 95th percentile (12.5 d) of a lognormal; "
    "the SD is derived from those two: sdlog = 0.669, SD = 3.9 d.",
)

ONSET_TO_DEATH_VERITY_2020 = PublishedDelay(
    quantity="symptom onset to death",
    family="gamma",
    mean=17.8,
    sd=17.8 * 0.45,
    mean_interval=(16.9, 19.2),
    source="Verity R et al. 2020, Estimates of the severity of coronavirus disease 2019: a "
    "model-based analysis. Lancet Infect Dis 20:669-677, doi:10.1016/S1473-3099(20)30243-7",
    population="24 deaths in mainland China with known onset and death dates, early 2020",
    note="Gamma with mean 17.8 d and coefficient of variation 0.45 (SD 8.0 d), as also used "
    "by Flaxman et al. 2020, Nature 584:257-261.",
)

DEFAULTS = (
    SERIAL_INTERVAL_LI_2020,
    SERIAL_INTERVAL_ALI_2020,
    INCUBATION_LI_2020,
    ONSET_TO_DEATH_VERITY_2020,
)
