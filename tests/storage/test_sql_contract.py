"""The SQL backend passes the storage contract on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from petitionkit.storage.sql import SqlStorage
from petitionkit.testing.storage_contract import StorageContract


class TestSqliteStorage(StorageContract):
    @pytest.fixture
    def storage(self, sqlite_url: str) -> Iterator[SqlStorage]:
        store = SqlStorage(sqlite_url)
        yield store
        store.close()


@pytest.mark.postgresql
class TestPostgresqlStorage(StorageContract):
    @pytest.fixture
    def storage(self, postgresql_url: str) -> Iterator[SqlStorage]:
        store = SqlStorage(postgresql_url)
        yield store
        store.close()
