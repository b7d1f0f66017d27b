"""Retention: the append-only trigger on events lets a purge erase the notes of an ended case.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-30

``petitionkit purge`` (docs/security.md, "Retention and purging") replaces the free-text notes and
reasons in the events of a case whose retention period ran out by the tombstone ``〔已删除 erased〕``.
Events stay append-only otherwise: the trigger still refuses every delete, and every update except
one that changes the payload alone, to a payload holding the tombstone, of an event whose case is in a
closed state (declined, transferred, terminated, withdrawn).  ``audit verify`` accepts such a payload
only when a later sealed ``CasePurged`` event recorded its digest.  No table or column changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOMBSTONE = "〔已删除 erased〕"  # petitionkit.domain.retention.ERASED at this revision
_CLOSED = "('declined', 'transferred', 'terminated', 'withdrawn')"

_SQLITE_ERASE_ONLY = f"""
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    WHEN NOT (
        NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.sequence = OLD.sequence AND NEW.name = OLD.name
        AND NEW.actor = OLD.actor AND NEW.occurred_at = OLD.occurred_at AND NEW.prev_digest = OLD.prev_digest
        AND NEW.digest = OLD.digest AND NEW.key_id IS OLD.key_id AND NEW.state_digest IS OLD.state_digest
        AND NEW.seal IS OLD.seal AND NEW.payload LIKE '%{TOMBSTONE}%'
        AND (SELECT state FROM cases WHERE id = NEW.case_id) IN {_CLOSED}
    )
    BEGIN SELECT RAISE(ABORT, 'events are append-only: an event is never changed'); END"""

_SQLITE_0006 = """
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only: an event is never changed'); END"""

_POSTGRESQL_ERASE_ONLY = f"""
    CREATE OR REPLACE FUNCTION petitionkit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.sequence = OLD.sequence
           AND NEW.name = OLD.name AND NEW.actor = OLD.actor AND NEW.occurred_at = OLD.occurred_at
           AND NEW.prev_digest = OLD.prev_digest AND NEW.digest = OLD.digest
           AND NEW.key_id IS NOT DISTINCT FROM OLD.key_id AND NEW.state_digest IS NOT DISTINCT FROM OLD.state_digest
           AND NEW.seal IS NOT DISTINCT FROM OLD.seal AND NEW.payload::text LIKE '%{TOMBSTONE}%'
           AND (SELECT state FROM cases WHERE id = NEW.case_id) IN {_CLOSED} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END $$"""

_POSTGRESQL_0006 = """
    CREATE OR REPLACE FUNCTION petitionkit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END $$"""


def _install(sqlite: str, postgresql: str) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(sqlite)
    elif dialect == "postgresql":
        op.execute(postgresql)


def upgrade() -> None:
    _install(_SQLITE_ERASE_ONLY, _POSTGRESQL_ERASE_ONLY)


def downgrade() -> None:
    _install(_SQLITE_0006, _POSTGRESQL_0006)
