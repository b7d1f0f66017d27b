"""The initial schema: cases, petitions, petitioner identities, referrals, obligations, events, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-03-02

Enum values are written out here (not imported from the domain) so this revision always builds
the schema it built on the day it was written.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import IsoDate, UtcDateTime

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(32)
DIGEST = sa.String(64)
CODE = sa.String(64)

CASE_STATES = (
    "registered",
    "declined",
    "accepted",
    "transferred",
    "assigned",
    "replied",
    "under_review",
    "reviewed",
    "under_rereview",
    "terminated",
    "withdrawn",
)
KINDS = ("suggestion", "accusation", "claim")
CHANNELS = ("letter", "visit", "phone", "online", "fax", "referred_in")
REFERRAL_MODES = ("transfer", "assignment")
REFERRAL_STATUSES = ("open", "objected", "reported", "withdrawn")
CLOCKS = (
    "notice",
    "routing",
    "misroute_objection",
    "handling",
    "extension",
    "referral_report",
    "review_request",
    "review_opinion",
    "rereview_request",
    "rereview_opinion",
    "supervision_reply",
)
PARTIES = ("office", "petitioner", "body", "reviewing_organ")
OBLIGATION_STATUSES = ("open", "met", "late", "waived")
CONVENTIONS = ("calendar_days", "working_days")
OUTBOX_STATUSES = ("pending", "sent", "dead")


def one_of(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", ID, nullable=False),
        sa.Column("office_code", CODE, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("category", CODE, nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("first_tracking_number", sa.String(80), nullable=False),
        sa.Column("petition_ids", json(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("respondent", json()),
        sa.Column("respondent_body_code", CODE),
        sa.Column("decline", json()),
        sa.Column("extension", json()),
        sa.Column("reply", json()),
        sa.Column("evaluations", json(), nullable=False),
        sa.Column("review", json()),
        sa.Column("rereview", json()),
        sa.Column("closed_reason", sa.Text()),
        sa.Column("updated_at", UtcDateTime()),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("last_digest", DIGEST, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        one_of("cases", "state", CASE_STATES),
        one_of("cases", "kind", KINDS),
        sa.CheckConstraint("version >= 1", name=op.f("ck_cases_version_positive")),
        sa.CheckConstraint("last_sequence >= 0", name=op.f("ck_cases_last_sequence_not_negative")),
    )
    op.create_index("ix_cases_office_state_opened", "cases", ["office_code", "state", "opened_at"])
    op.create_index("ix_cases_office_opened", "cases", ["office_code", "opened_at"])
    op.create_index(
        "ix_cases_respondent_body",
        "cases",
        ["respondent_body_code"],
        sqlite_where=sa.text("respondent_body_code IS NOT NULL"),
        postgresql_where=sa.text("respondent_body_code IS NOT NULL"),
    )

    op.create_table(
        "petitions",
        sa.Column("id", ID, nullable=False),
        sa.Column("office_code", CODE, nullable=False),
        sa.Column("tracking_number", sa.String(80), nullable=False),
        sa.Column("query_code_digest", DIGEST, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("registered_at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("category", CODE, nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("petitioners", json(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("respondent", json()),
        sa.Column("respondent_body_code", CODE),
        sa.Column("attachments", json(), nullable=False),
        sa.Column("referred_from", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_petitions_case_id_cases")),
        sa.UniqueConstraint("office_code", "tracking_number", name=op.f("uq_petitions_office_code_tracking_number")),
        sa.UniqueConstraint("query_code_digest", name=op.f("uq_petitions_query_code_digest")),
        one_of("petitions", "channel", CHANNELS),
        one_of("petitions", "kind", KINDS),
        sa.CheckConstraint("headcount >= 1", name=op.f("ck_petitions_headcount_positive")),
    )
    op.create_index("ix_petitions_case", "petitions", ["case_id"])
    op.create_index(
        "ix_petitions_respondent_body",
        "petitions",
        ["respondent_body_code"],
        sqlite_where=sa.text("respondent_body_code IS NOT NULL"),
        postgresql_where=sa.text("respondent_body_code IS NOT NULL"),
    )

    op.create_table(
        "petitioner_identities",
        sa.Column("petition_id", ID, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("office_code", CODE, nullable=False),
        sa.PrimaryKeyConstraint("petition_id", "digest", name=op.f("pk_petitioner_identities")),
        sa.ForeignKeyConstraint(
            ["petition_id"], ["petitions.id"], name=op.f("fk_petitioner_identities_petition_id_petitions")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_petitioner_identities_case_id_cases")),
    )
    op.create_index(
        "ix_petitioner_identities_office_digest", "petitioner_identities", ["office_code", "digest", "case_id"]
    )

    op.create_table(
        "referrals",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body_code", CODE, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("referred_at", UtcDateTime(), nullable=False),
        sa.Column("objection_due", IsoDate()),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("feedback", sa.Text()),
        sa.Column("closed_at", UtcDateTime()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        one_of("referrals", "mode", REFERRAL_MODES),
        one_of("referrals", "status", REFERRAL_STATUSES),
    )
    op.create_index("ix_referrals_case", "referrals", ["case_id", "position"])
    op.create_index("ix_referrals_body_status", "referrals", ["body_code", "status"])

    op.create_table(
        "obligations",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("office_code", CODE, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("clock", sa.String(30), nullable=False),
        sa.Column("owed_by", sa.String(20), nullable=False),
        sa.Column("owed_to", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("due", IsoDate(), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("body_code", CODE),
        sa.Column("referral_id", ID),
        sa.Column("basis_clock", sa.String(30), nullable=False),
        sa.Column("basis_start", IsoDate(), nullable=False),
        sa.Column("basis_days", sa.Integer(), nullable=False),
        sa.Column("basis_convention", sa.String(20), nullable=False),
        sa.Column("basis_rule_set", sa.Text(), nullable=False),
        sa.Column("basis_source", sa.Text(), nullable=False),
        sa.Column("basis_calendar", sa.Text(), nullable=False),
        sa.Column("basis_extension_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligations")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_obligations_case_id_cases")),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"], name=op.f("fk_obligations_referral_id_referrals")),
        one_of("obligations", "clock", CLOCKS),
        one_of("obligations", "basis_clock", CLOCKS),
        one_of("obligations", "owed_by", PARTIES),
        one_of("obligations", "owed_to", PARTIES),
        one_of("obligations", "status", OBLIGATION_STATUSES),
        one_of("obligations", "basis_convention", CONVENTIONS),
        sa.CheckConstraint("basis_days >= 0", name=op.f("ck_obligations_basis_days_not_negative")),
        sa.CheckConstraint("basis_extension_days >= 0", name=op.f("ck_obligations_basis_extension_days_not_negative")),
    )
    op.create_index("ix_obligations_office_status_due", "obligations", ["office_code", "status", "due"])
    op.create_index("ix_obligations_case", "obligations", ["case_id", "position"])

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("payload", json(), nullable=False),
        sa.Column("prev_digest", DIGEST, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_events_case_id_cases")),
        sa.UniqueConstraint("case_id", "sequence", name=op.f("uq_events_case_id_sequence")),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_events_sequence_positive")),
    )

    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(80), nullable=False),
        sa.Column("case_id", ID),
        sa.Column("payload", json(), nullable=False),
        sa.Column("idempotency_key", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("available_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("claimed_by", sa.Text()),
        sa.Column("lease_until", UtcDateTime()),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_id")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_outbox_case_id_cases")),
        one_of("outbox", "status", OUTBOX_STATUSES),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
    )
    op.create_index("ix_outbox_status_available", "outbox", ["status", "available_at"])

    op.create_table(
        "tracking_counters",
        sa.Column("office_code", CODE, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office_code", "year", name=op.f("pk_tracking_counters")),
        sa.CheckConstraint("last_value >= 0", name=op.f("ck_tracking_counters_last_value_not_negative")),
    )


def downgrade() -> None:
    for table in (
        "tracking_counters",
        "outbox",
        "events",
        "obligations",
        "referrals",
        "petitioner_identities",
        "petitions",
        "cases",
    ):
        op.drop_table(table)
