"""Storage: the protocol every backend implements, and the in-memory backend."""

from petitionkit.storage.base import CaseQuery, OutboxMessage, OutboxStatus, Storage, Transaction

__all__ = ["CaseQuery", "OutboxMessage", "OutboxStatus", "Storage", "Transaction"]
