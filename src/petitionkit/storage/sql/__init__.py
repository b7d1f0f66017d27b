"""The SQL storage backend (SQLAlchemy 2 Core): SQLite embedded, PostgreSQL in production.

``SqlStorage(url)`` opens (and, when the database is empty, creates) a store; ``upgrade(url)``
runs the migrations shipped in this package; ``current(url)`` tells where a database stands.
"""

from petitionkit.storage.sql.migrate import SchemaState, SchemaStatus, current, head_revision, upgrade
from petitionkit.storage.sql.store import SqlStorage, SqlTransaction

__all__ = ["SchemaState", "SchemaStatus", "SqlStorage", "SqlTransaction", "current", "head_revision", "upgrade"]
