"""Alembic migrations of the record store (`hipscreen db upgrade`). They ship inside the package,
so an installed hipscreen can create and upgrade its own database."""
