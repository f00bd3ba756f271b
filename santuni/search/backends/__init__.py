"""The database's own part of search, chosen here and nowhere else: SQLite's FTS5 index, or
PostgreSQL's tsvector with pg_trgm (see `base.Backend` for what each one does)."""

import functools

from django.db import connection

from .base import Backend
from .fts5 import Fts5
from .postgres import Postgres


@functools.cache
def backend() -> Backend:
    """The backend of the database in use: one per process, as the database is."""
    return Postgres() if connection.vendor == "postgresql" else Fts5()
