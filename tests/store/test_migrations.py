from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tongchou.store import database

TABLES = {
    "regions",
    "metrics",
    "batches",
    "observations",
    "zone_runs",
    "zone_levels",
    "zone_overrides",
    "response_levels",
}


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(database._alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_upgrade_from_empty_creates_every_table_and_registers_metrics(empty_engine):
    assert database.current_revision(empty_engine) is None
    database.upgrade(empty_engine)
    assert database.current_revision(empty_engine) == database.head_revision()
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    with empty_engine.connect() as connection:
        from tongchou.store.observations import metric_ids

        assert {"confirmed", "dead", "cured", "suspected"} <= set(metric_ids(connection))


def test_upgrade_from_each_earlier_revision_reaches_head(empty_engine):
    revisions = _revisions()
    for revision in ["base", *revisions[:-1]]:
        database.upgrade(empty_engine)
        database.downgrade(empty_engine, revision)
        expected = None if revision == "base" else revision
        assert database.current_revision(empty_engine) == expected
        database.upgrade(empty_engine)
        assert database.current_revision(empty_engine) == revisions[-1]
        assert set(inspect(empty_engine).get_table_names()) >= TABLES


def test_upgrade_twice_changes_nothing(engine):
    with engine.connect() as connection:
        from tongchou.store.observations import metric_ids

        before = metric_ids(connection)
    database.upgrade(engine)
    with engine.connect() as connection:
        assert metric_ids(connection) == before
