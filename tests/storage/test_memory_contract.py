"""The in-memory backend passes the storage contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from petitionkit.storage.memory import MemoryStorage
from petitionkit.testing.storage_contract import StorageContract


class TestMemoryStorage(StorageContract):
    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        yield MemoryStorage()
