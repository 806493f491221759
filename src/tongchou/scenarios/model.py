"""The analyst's handle on the engine: a `Model` (regions, populations, mobility, parameters)
that runs ensembles and returns `Result`s labelled with region codes and dates.

    from tongchou.scenarios import china_model
    model = china_model()
    result = model.run("2020-01-10", 60, seeds={"420100": {"E": 2000, "Iu": 2000}},
                       members=200)
    result.frame("cases")                  # median per region x date
    result.quantiles("hospital", by="province")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from tongchou.errors import InputError, Problem
from tongchou.scenarios.metapop import COMPARTMENTS, Drivers, Run, simulate
from tongchou.scenarios.mobility import Mobility, china_mobility
from tongchou.scenarios.parameters import Parameters

Seeds = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True, eq=False)
class Model:
    """Regions (codes, populations, optional names and parents for grouping), the mobility
    between them and the default parameters."""

    codes: tuple[str, ...]
    population: np.ndarray
    mobility: Mobility | None = None
    parameters: Parameters = field(default_factory=Parameters)
    names: tuple[str, ...] | None = None
    parents: tuple[str | None, ...] | None = None

    def __post_init__(self) -> None:
        population = np.asarray(self.population, dtype=np.float64)
        problems = []
        if population.shape != (len(self.codes),):
            problems.append(
                Problem(
                    "model.population",
                    "one population per region",
                    value=population.shape,
                    expected=f"({len(self.codes)},)",
                )
            )
        else:
            bad = ~np.isfinite(population) | (population <= 0)
            for i in np.flatnonzero(bad)[:20]:
                problems.append(
                    Problem(
                        f"model.population[{self.codes[i]}]",
                        "population must be a number > 0",
                        value=float(population[i]),
                    )
                )
        if self.mobility is not None and tuple(self.mobility.codes) != tuple(self.codes):
            unknown = [c for c in self.mobility.codes if c not in set(self.codes)]
            missing = [c for c in self.codes if c not in set(self.mobility.codes)]
            if unknown:
                problems.append(
                    Problem(
                        "model.mobility",
                        f"rows for {len(unknown)} region(s) not in the model",
                        value=unknown[:5],
                        expected="the model's regions (use Mobility.subset)",
                    )
                )
            if missing:
                problems.append(
                    Problem(
                        "model.mobility",
                        f"no rows for {len(missing)} region(s) of the model",
                        value=missing[:5],
                    )
                )
            if not unknown and not missing:
                object.__setattr__(self, "mobility", self.mobility.subset(self.codes))
        if problems:
            raise InputError(problems)
        population.setflags(write=False)
        object.__setattr__(self, "population", population)
        object.__setattr__(self, "codes", tuple(self.codes))

    @cached_property
    def position(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes)}

    def initial_state(self, seeds: Seeds, place: str = "seeds") -> np.ndarray:
        """(regions, compartments): everybody susceptible except the seeded people."""
        state = np.zeros((len(self.codes), len(COMPARTMENTS)))
        state[:, 0] = self.population
        problems = []
        for code, counts in seeds.items():
            code = str(code)
            if code not in self.position:
                problems.append(Problem(place, "unknown region", value=code))
                continue
            row = self.position[code]
            for compartment, count in counts.items():
                if compartment not in COMPARTMENTS[1:]:
                    problems.append(
                        Problem(
                            f"{place}[{code}]",
                            "unknown compartment",
                            value=compartment,
                            expected=", ".join(COMPARTMENTS[1:]),
                        )
                    )
                    continue
                if not np.isfinite(count) or count < 0:
                    problems.append(
                        Problem(f"{place}[{code}].{compartment}", "must be >= 0", value=count)
                    )
                    continue
                state[row, COMPARTMENTS.index(compartment)] += count
                state[row, 0] -= count
        if problems:
            raise InputError(problems)
        if (state[:, 0] < 0).any():
            row = int(np.argmin(state[:, 0]))
            raise InputError(
                Problem(
                    f"{place}[{self.codes[row]}]",
                    "more people seeded than live there",
                    value=float(self.population[row] - state[row, 0]),
                    expected=f"<= {self.population[row]:.0f}",
                )
            )
        return state

    def groups(self, by: str | Mapping[str, str] | None) -> tuple[np.ndarray | None, list[str]]:
        """Group index per region and group labels: None (each region), "nation", "parent"
        (the region's parent, e.g. its province), or a mapping code -> group label."""
        if by is None:
            return None, list(self.codes)
        if by == "nation":
            return np.zeros(len(self.codes), dtype=np.int64), ["all"]
        if by in ("parent", "province"):
            if self.parents is None:
                raise InputError(Problem("by", "the model has no parents to group by"))
            labels = [p or c for c, p in zip(self.codes, self.parents, strict=True)]
        elif isinstance(by, Mapping):
            missing = [c for c in self.codes if c not in by]
            if missing:
                raise InputError(
                    Problem("by", f"no group for {len(missing)} region(s)", value=missing[:5])
                )
            labels = [str(by[c]) for c in self.codes]
        else:
            raise InputError(
                Problem("by", "unknown grouping", value=by, expected="nation, province, a map")
            )
        names, index = np.unique(np.array(labels), return_inverse=True)
        return index, [str(n) for n in names]

    def run(
        self,
        start: dt.date | str,
        days: int,
        seeds: Seeds | np.ndarray,
        *,
        members: int = 100,
        stochastic: bool = True,
        seed: int | None = 0,
        parameters: Parameters | None = None,
        drivers: Drivers | None = None,
        mobility: Mobility | None = None,
        record: Sequence[str] = ("infections", "cases", "hospital", "deaths"),
        by: str | Mapping[str, str] | None = None,
    ) -> Result:
        """Run an ensemble (or one deterministic trajectory) for `days` days from `start`.
        seeds: {code: {compartment: people}} or a (regions, compartments) array."""
        start = as_date(start)
        if isinstance(seeds, Mapping):
            initial = self.initial_state(seeds)
        else:
            initial = np.asarray(seeds, dtype=float)
        flows = mobility or self.mobility
        window = None if flows is None else flows.window(start, days)
        index, labels = self.groups(by)
        run = simulate(
            initial,
            parameters or self.parameters,
            window,
            days,
            members=members if stochastic else 1,
            stochastic=stochastic,
            seed=seed,
            drivers=drivers,
            record=record,
            groups=index,
        )
        return Result(run, labels, start, tuple(self.codes))


@dataclass(frozen=True, eq=False)
class Result:
    """An ensemble's recorded series, each (members, groups, days)."""

    run: Run
    groups: list[str]
    start: dt.date
    codes: tuple[str, ...]

    @property
    def members(self) -> int:
        return self.run.state.shape[0]

    @property
    def dates(self) -> pd.DatetimeIndex:
        days = next(iter(self.run.series.values())).shape[-1]
        return pd.date_range(self.start, periods=days, freq="D")

    def series(self, name: str) -> np.ndarray:
        if name not in self.run.series:
            raise InputError(
                Problem(
                    "series",
                    "not recorded in this run",
                    value=name,
                    expected=", ".join(self.run.series),
                )
            )
        return self.run.series[name]

    def frame(self, name: str, stat: str | float = "median") -> pd.DataFrame:
        """Groups x dates: the ensemble median (or "mean", or a quantile in [0, 1])."""
        values = self.series(name)
        if stat == "mean":
            table = values.mean(axis=0)
        elif stat == "median":
            table = np.median(values, axis=0)
        else:
            table = np.quantile(values, float(stat), axis=0)
        return pd.DataFrame(table, index=pd.Index(self.groups, name="region"), columns=self.dates)

    def quantiles(self, name: str, q: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Long table: one row per group and date, one column per quantile."""
        values = np.quantile(self.series(name), q, axis=0)  # (q, groups, days)
        index = pd.MultiIndex.from_product([self.groups, self.dates], names=["region", "date"])
        return pd.DataFrame(values.reshape(len(q), -1).T, index=index, columns=list(q))

    def totals(self, name: str) -> np.ndarray:
        """Per member: the series summed over groups and days (events) -> (members,)."""
        return self.series(name).sum(axis=(1, 2), dtype=np.float64)

    def state(self) -> pd.DataFrame:
        """Final state, ensemble mean: regions x compartments."""
        return pd.DataFrame(
            self.run.state.mean(axis=0),
            index=pd.Index(self.codes, name="region"),
            columns=list(COMPARTMENTS),
        )

    def to_xarray(self):
        """The recorded series as an xarray Dataset (member, region, date); needs xarray."""
        try:
            import xarray as xr
        except ImportError as exc:
            raise InputError(
                Problem("to_xarray", "xarray is not installed", expected="pip install xarray")
            ) from exc
        coords = {"member": np.arange(self.members), "region": self.groups, "date": self.dates}
        return xr.Dataset(
            {name: (("member", "region", "date"), v) for name, v in self.run.series.items()},
            coords=coords,
        )


def build_model(
    regions: pd.DataFrame | Sequence[str],
    population: Sequence[float] | None = None,
    *,
    mobility: Mobility | pd.DataFrame | None = None,
    parameters: Parameters | None = None,
) -> Model:
    """A model from a table with columns code, population (and optionally name, parent), or
    from a list of codes plus `population`. A mobility table has columns origin,
    destination, trips (and date for daily flows)."""
    from tongchou.scenarios.mobility import mobility_from_frame

    names = parents = None
    if isinstance(regions, pd.DataFrame):
        frame = regions.reset_index() if "code" not in regions.columns else regions
        if "code" not in frame.columns or "population" not in frame.columns:
            raise InputError(
                Problem("regions", "columns code and population are needed", expected="code,...")
            )
        codes = tuple(frame["code"].astype(str))
        population = pd.to_numeric(frame["population"], errors="coerce").to_numpy()
        if "name" in frame.columns:
            names = tuple(frame["name"].astype(str))
        if "parent" in frame.columns:
            parents = tuple(None if pd.isna(p) else str(p) for p in frame["parent"])
    else:
        codes = tuple(str(c) for c in regions)
        if population is None:
            raise InputError(Problem("population", "needed with a list of region codes"))
    if isinstance(mobility, pd.DataFrame):
        mobility = mobility_from_frame(mobility, codes)
    return Model(
        codes,
        np.asarray(population, dtype=float),
        mobility,
        parameters or Parameters(),
        names,
        parents,
    )


def china_model(
    parameters: Parameters | None = None, *, trips_per_index: float | None = None
) -> Model:
    """China's 366 prefecture-tier units (2020 census populations) with the Baidu flows of
    1 January - 30 April 2020."""
    from tongchou.geo.china import china_regions
    from tongchou.scenarios.mobility import TRIPS_PER_INDEX

    mobility = china_mobility(trips_per_index or TRIPS_PER_INDEX)
    frame = china_regions().frame.loc[list(mobility.codes)]
    return Model(
        mobility.codes,
        frame["population"].to_numpy(dtype=float),
        mobility,
        parameters or Parameters(),
        tuple(frame["name_zh"]),
        tuple(frame["parent"]),
    )


def as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(
            Problem("start", "not a date", value=value, expected="YYYY-MM-DD")
        ) from None
