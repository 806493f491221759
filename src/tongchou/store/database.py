"""Connecting to the store and bringing its schema up to date with Alembic."""

from __future__ import annotations

import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.exc import ArgumentError, OperationalError

from tongchou import config
from tongchou.errors import InputError, Problem, TongchouError
from tongchou.facts.metrics import builtin_metrics
from tongchou.store.schema import metrics

log = logging.getLogger(__name__)


def connect(url: str | None = None) -> Engine:
    """An engine for the store at `url` (default: TONGCHOU_DATABASE_URL or ./tongchou.db)."""
    url = url or config.database_url()
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise InputError(
            Problem(
                "TONGCHOU_DATABASE_URL",
                f"cannot use this database URL: {exc}",
                value=url,
                expected="sqlite:///path.db or postgresql+psycopg://user@host/db",
            )
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("tongchou.store") / "migrations"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema to `revision` and register the built-in metrics."""
    cfg = _alembic_config()
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            if revision == "head":
                _register_metrics(connection)
    except OperationalError as exc:
        raise TongchouError(f"cannot reach the store at {engine.url!r}: {exc.orig}") from None


def downgrade(engine: Engine, revision: str) -> None:
    cfg = _alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def _register_metrics(connection) -> None:
    registry = builtin_metrics()
    known = dict(connection.execute(select(metrics.c.name, metrics.c.id)).all())
    next_id = max(known.values(), default=0) + 1
    new = [m for m in registry if m.name not in known]
    rows = [
        {
            "id": next_id + i,
            "name": m.name,
            "kind": m.kind,
            "unit": m.unit,
            "label_zh": m.label_zh,
            "label_en": m.label_en,
        }
        for i, m in enumerate(new)
    ]
    if rows:
        connection.execute(insert(metrics), rows)


def open_store(url: str | None = None) -> Engine:
    """Connect and make sure the schema is at head: what every command does first."""
    engine = connect(url)
    if current_revision(engine) != head_revision():
        log.info("bringing the store at %s to revision %s", engine.url, head_revision())
        upgrade(engine)
    return engine
