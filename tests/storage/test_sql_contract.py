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


# The same contract with field encryption on: personal data sealed in the rows, plain in the objects.
TEST_MASTER = {"m-test": bytes(range(32))}  # a made-up test key, never an office's


class TestSqliteEncryptedStorage(StorageContract):
    @pytest.fixture
    def storage(self, sqlite_url: str) -> Iterator[SqlStorage]:
        store = SqlStorage(sqlite_url)
        store.unlock(TEST_MASTER, "XS")
        yield store
        store.close()


@pytest.mark.postgresql
class TestPostgresqlEncryptedStorage(StorageContract):
    @pytest.fixture
    def storage(self, postgresql_url: str) -> Iterator[SqlStorage]:
        store = SqlStorage(postgresql_url)
        store.unlock(TEST_MASTER, "XS")
        yield store
        store.close()
