"""Small networks for the scenario engine's tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tongchou.scenarios import Mobility, Parameters, build_model


def gravity_network(n: int, seed: int, travel: float = 0.01):
    """Populations, codes and a static gravity-like flow matrix in which `travel` of each
    region's people leave every day."""
    rng = np.random.default_rng(seed)
    population = rng.integers(200_000, 5_000_000, n).astype(float)
    xy = rng.random((n, 2))
    distance = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + 0.05
    flows = np.outer(population, population) / distance**2
    np.fill_diagonal(flows, 0.0)
    flows = flows / flows.sum(axis=1, keepdims=True) * population[:, None] * travel
    codes = [f"R{i:02d}" for i in range(n)]
    return codes, population, flows


@pytest.fixture(name="gravity_network")
def gravity_network_fixture():
    return gravity_network


@pytest.fixture
def network():
    codes, population, flows = gravity_network(8, seed=11)
    model = build_model(
        pd.DataFrame({"code": codes, "population": population}),
        mobility=Mobility(tuple(codes), flows),
        parameters=Parameters(),
    )
    return model, flows
