"""Events carry their keyed seal; the database itself keeps the audit trail append-only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

- ``events.key_id``, ``events.state_digest``, ``events.seal``: the keyed seal of each event and the
  digest of the rows it left behind (``petitionkit.audit``).  Events stored before this revision
  keep NULL there: they form an unkeyed first segment, which ``petitionkit audit verify`` reports.
- Triggers (SQLite and PostgreSQL): events are never updated or deleted; a new event's sequence is
  the case's highest plus one (no gaps) and never beyond the case row's ``last_sequence``; a case's
  ``last_sequence`` never goes down.  On PostgreSQL a deferred constraint trigger also checks, at
  commit, that every written case's ``last_sequence`` equals its highest event.  (``UNIQUE
  (case_id, sequence)`` and ``sequence >= 1`` exist since revision 0001.)

Anyone who can change the schema can drop a trigger: the seals and checkpoints are what catch that.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = {
    "events_no_update": """
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: an event is never changed'); END""",
    "events_no_delete": """
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: an event is never deleted'); END""",
    "events_next_sequence": """
        CREATE TRIGGER events_next_sequence BEFORE INSERT ON events
        WHEN NEW.sequence <> (SELECT COALESCE(MAX(sequence), 0) + 1 FROM events WHERE case_id = NEW.case_id)
          OR NEW.sequence > (SELECT last_sequence FROM cases WHERE id = NEW.case_id)
        BEGIN SELECT RAISE(ABORT, 'an event must follow the case''s last event and its last_sequence'); END""",
    "cases_last_sequence_forward": """
        CREATE TRIGGER cases_last_sequence_forward BEFORE UPDATE OF last_sequence ON cases
        WHEN NEW.last_sequence < OLD.last_sequence
        BEGIN SELECT RAISE(ABORT, 'a case''s last_sequence never goes down'); END""",
}

_POSTGRESQL = [
    """
    CREATE FUNCTION petitionkit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION petitionkit_events_append_only()""",
    """
    CREATE FUNCTION petitionkit_events_next_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.sequence <> (SELECT COALESCE(MAX(sequence), 0) + 1 FROM events WHERE case_id = NEW.case_id)
           OR NEW.sequence > (SELECT last_sequence FROM cases WHERE id = NEW.case_id) THEN
            RAISE EXCEPTION 'an event must follow the case''s last event and its last_sequence'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """
    CREATE TRIGGER events_next_sequence BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION petitionkit_events_next_sequence()""",
    """
    CREATE FUNCTION petitionkit_cases_last_sequence_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.last_sequence < OLD.last_sequence THEN
            RAISE EXCEPTION 'a case''s last_sequence never goes down' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """
    CREATE TRIGGER cases_last_sequence_forward BEFORE UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION petitionkit_cases_last_sequence_forward()""",
    """
    CREATE FUNCTION petitionkit_cases_head_matches() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.last_sequence <> (SELECT COALESCE(MAX(sequence), 0) FROM events WHERE case_id = NEW.id) THEN
            RAISE EXCEPTION 'case %: last_sequence % is not its highest event', NEW.id, NEW.last_sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END $$""",
    """
    CREATE CONSTRAINT TRIGGER cases_head_matches_events AFTER INSERT OR UPDATE ON cases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION petitionkit_cases_head_matches()""",
]

_POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS cases_head_matches_events ON cases",
    "DROP TRIGGER IF EXISTS cases_last_sequence_forward ON cases",
    "DROP TRIGGER IF EXISTS events_next_sequence ON events",
    "DROP TRIGGER IF EXISTS events_append_only ON events",
    "DROP FUNCTION IF EXISTS petitionkit_cases_head_matches()",
    "DROP FUNCTION IF EXISTS petitionkit_cases_last_sequence_forward()",
    "DROP FUNCTION IF EXISTS petitionkit_events_next_sequence()",
    "DROP FUNCTION IF EXISTS petitionkit_events_append_only()",
]


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("state_digest", sa.Text(), nullable=True))
        batch.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in _POSTGRESQL:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for statement in _POSTGRESQL_DROP:
            op.execute(statement)
    with op.batch_alter_table("events") as batch:
        batch.drop_column("seal")
        batch.drop_column("state_digest")
        batch.drop_column("key_id")
