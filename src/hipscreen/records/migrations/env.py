"""Alembic's environment: run the migrations on the connection the store hands over.

The store opens the connection itself (`config.attributes["connection"]`), so no database URL,
and no password, ever goes through Alembic's configuration or its log.
"""

from alembic import context

from hipscreen.records.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations with `hipscreen db upgrade` (it passes the connection)")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
