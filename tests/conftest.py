"""Fixtures shared by the suite: a fresh store on SQLite and on PostgreSQL.

The PostgreSQL server is TONGCHOU_TEST_POSTGRES_URL (default: the local server with trust
auth, database `test`). Each test gets its own schema, dropped afterwards. Where no server
answers, the PostgreSQL variants are skipped and say so, except under CI (CI=true) or with
TONGCHOU_REQUIRE_POSTGRES=1, where that is a failure.
"""

from __future__ import annotations

import os
import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from tongchou.geo.regions import regions_from_frame
from tongchou.store.database import connect, upgrade
from tongchou.store.regions import save_regions

POSTGRES_URL = os.environ.get(
    "TONGCHOU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("CI") == "true" or os.environ.get("TONGCHOU_REQUIRE_POSTGRES")


def _postgres_reachable() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


_POSTGRES_ERROR = _postgres_reachable()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """A store with no schema yet."""
    if request.param == "sqlite":
        engine = connect(f"sqlite:///{tmp_path / 'tongchou.db'}")
        yield engine
        engine.dispose()
        return
    if _POSTGRES_ERROR:
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {_POSTGRES_ERROR}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine = sa.create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def engine(empty_engine):
    """A store at the newest schema."""
    upgrade(empty_engine)
    return empty_engine


TINY_REGIONS = pd.DataFrame(
    [
        ["X", None, "Xland", "nation", 1_000_000],
        ["A", "X", "Alpha", "province", 600_000],
        ["B", "X", "Beta", "province", 400_000],
        ["A1", "A", "Alpha City", "county", 300_000],
        ["A2", "A", "Alpha Town", "county", 300_000],
    ],
    columns=["code", "parent", "name", "level", "population"],
)


@pytest.fixture
def tiny_regions():
    return regions_from_frame(TINY_REGIONS, "tiny")


@pytest.fixture
def tiny_store(engine):
    """A store holding a five-region tree: X > A (A1, A2), B."""
    with engine.begin() as connection:
        save_regions(connection, regions_from_frame(TINY_REGIONS, "tiny"), "tiny")
    return engine


@pytest.fixture(scope="session")
def china_store(tmp_path_factory):
    """An SQLite store with the bundled China regions and 2019-12..2020-04 series, loaded once."""
    from tongchou.services.demo import load_bundled_series
    from tongchou.store.database import open_store

    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('china') / 'tongchou.db'}")
    load_bundled_series(engine)
    return engine
