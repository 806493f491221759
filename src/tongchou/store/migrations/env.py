"""Alembic environment: migrations run on the connection tongchou hands over."""

from alembic import context

from tongchou.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("tongchou migrations run through `tongchou db upgrade`")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
