"""The SQL schema at the head revision, as SQLAlchemy Core tables (no ORM mapping).

The migrations in ``migrations/versions`` build exactly this schema (a test compares them).
Constraints keep bad data out even if code misbehaves: enum columns carry CHECK constraints,
tracking numbers are unique per office, query-code digests are unique, every child row points at
its case (信访事项) by a foreign key, and events are unique per ``(case_id, sequence)``.

Size: over 500 lines: every table of the head schema in one place, so the migrations test can compare
the whole schema with what the revisions build, and a reader sees every table and index together.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from petitionkit.domain.attachments import AttachmentKind
from petitionkit.domain.casework import KINDS as CASEWORK_KINDS
from petitionkit.domain.clocks import Clock, Convention
from petitionkit.domain.model import (
    CaseState,
    Channel,
    ObligationStatus,
    Party,
    PetitionKind,
    ReferralMode,
    ReferralStatus,
)
from petitionkit.storage.base import OutboxStatus
from petitionkit.storage.sql.types import IsoDate, UtcDateTime, json_type

VERSION_TABLE = "petitionkit_alembic_version"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = String(32)  # uuid4().hex
DIGEST = String(64)  # SHA-256 hex
CODE = String(64)  # office, body and region codes, categories
BIGID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: an alias of the rowid


def one_of(column: str, values: Iterable[str] | type[enum.Enum], name: str | None = None) -> CheckConstraint:
    """``CHECK (column IN (...))`` over the values of a domain enum."""
    choices = [m.value for m in values] if isinstance(values, type) else list(values)
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in choices)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


cases = Table(
    "cases",
    metadata,
    Column("id", ID, primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("state", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("category", CODE, nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("subject", Text, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("first_tracking_number", String(80), nullable=False),
    Column("petition_ids", json_type(), nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    # The respondent (被反映人) whole, and its body code as a column for "cases about body X".
    Column("respondent", json_type()),
    Column("respondent_body_code", CODE),
    Column("decline", json_type()),
    Column("extension", json_type()),
    Column("reply", json_type()),
    Column("evaluations", json_type(), nullable=False),
    Column("review", json_type()),
    Column("rereview", json_type()),
    Column("closed_reason", Text),
    Column("updated_at", UtcDateTime),
    Column("last_sequence", Integer, nullable=False),
    Column("last_digest", DIGEST, nullable=False),
    one_of("state", CaseState),
    one_of("kind", PetitionKind),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint("last_sequence >= 0", name="last_sequence_not_negative"),
    Index("ix_cases_office_state_opened", "office_code", "state", "opened_at"),
    # revision 0020: the list's whole sort key, so a page starts in the index after the last case seen
    Index("ix_cases_office_opened_key", "office_code", "opened_at", "first_tracking_number", "id"),
    # Partial: most cases name no body, and an index entry per case would cost every registration a page.
    Index(
        "ix_cases_respondent_body",
        "respondent_body_code",
        sqlite_where=text("respondent_body_code IS NOT NULL"),
        postgresql_where=text("respondent_body_code IS NOT NULL"),
    ),
    # revision 0002: report queries by region and category over a received-date range
    Index("ix_cases_office_region_opened", "office_code", "region_code", "opened_at"),
    Index("ix_cases_office_category_opened", "office_code", "category", "opened_at"),
)

#: The columns of the covering index the period report counts petitions by (revision 0019).
REPORT_COVER = (
    "office_code",
    "received_at",
    "channel",
    "kind",
    "category",
    "region_code",
    "headcount",
    "anonymous",
    "respondent_body_code",
    "case_id",
)

petitions = Table(
    "petitions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("tracking_number", String(80), nullable=False),
    Column("query_code_digest", DIGEST, nullable=False),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("subject", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("category", CODE, nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("petitioners", json_type(), nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("headcount", Integer, nullable=False),
    Column("respondent", json_type()),
    Column("respondent_body_code", CODE),
    Column("attachments", json_type(), nullable=False),
    Column("referred_from", Text),
    Column("source_ref", Text),  # revision 0003: key of an imported row in the legacy system
    Column("repeat_of", String(80)),  # revision 0013: tracking number of the closed case it repeats
    UniqueConstraint("office_code", "tracking_number"),
    UniqueConstraint("query_code_digest"),
    one_of("channel", Channel),
    one_of("kind", PetitionKind),
    CheckConstraint("headcount >= 1", name="headcount_positive"),
    Index("ix_petitions_case", "case_id"),
    Index(
        "ix_petitions_respondent_body",
        "respondent_body_code",
        sqlite_where=text("respondent_body_code IS NOT NULL"),
        postgresql_where=text("respondent_body_code IS NOT NULL"),
    ),
    # revision 0019 (replaces 0002's (office_code, received_at)): the period report's breakdowns read the
    # index alone, never the wide rows that carry the petition's text (docs/reports.md, Performance)
    Index("ix_petitions_office_received_cover", *REPORT_COVER),
    # revision 0003: an import never stores the same legacy row twice
    Index(
        "ux_petitions_office_source_ref",
        "office_code",
        "source_ref",
        unique=True,
        sqlite_where=text("source_ref IS NOT NULL"),
        postgresql_where=text("source_ref IS NOT NULL"),
    ),
    # revision 0013: repeats of closed matters counted by received date
    Index(
        "ix_petitions_office_repeat_received",
        "office_code",
        "received_at",
        sqlite_where=text("repeat_of IS NOT NULL"),
        postgresql_where=text("repeat_of IS NOT NULL"),
    ),
)

# Who petitioned: one row per petition and petitioner identity digest (重复信访 detection).
petitioner_identities = Table(
    "petitioner_identities",
    metadata,
    Column("petition_id", ID, ForeignKey("petitions.id"), primary_key=True),
    Column("digest", DIGEST, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("office_code", CODE, nullable=False),
    # revision 0013: "person" (the identity digest reports count people by), or a secondary key of
    # repeat detection ("phone", "address"; petitionkit.domain.tracking.identity_keys)
    Column("kind", String(10), nullable=False, server_default="person"),
    Index("ix_petitioner_identities_office_digest", "office_code", "digest", "case_id"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("body_code", CODE, nullable=False),
    Column("mode", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("referred_at", UtcDateTime, nullable=False),
    Column("objection_due", IsoDate),
    Column("note", Text, nullable=False),
    Column("feedback", Text),
    Column("closed_at", UtcDateTime),
    # revision 0012: every feedback on a transfer (text, received_on, recorded_at, recorded_by); NULL on
    # rows written before it, read back as the one `feedback` they kept
    Column("feedbacks", json_type()),
    one_of("mode", ReferralMode),
    one_of("status", ReferralStatus),
    Index("ix_referrals_case", "case_id", "position"),
    Index("ix_referrals_body_status", "body_code", "status"),
)

# One reply clock (期限) with the whole DeadlineBasis, so the due date can be recomputed.
obligations = Table(
    "obligations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("office_code", CODE, nullable=False),
    Column("position", Integer, nullable=False),
    Column("clock", String(30), nullable=False),
    Column("owed_by", String(20), nullable=False),
    Column("owed_to", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("due", IsoDate, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("body_code", CODE),
    Column("referral_id", ID, ForeignKey("referrals.id")),
    Column("basis_clock", String(30), nullable=False),
    Column("basis_start", IsoDate, nullable=False),
    Column("basis_days", Integer, nullable=False),
    Column("basis_convention", String(20), nullable=False),
    Column("basis_rule_set", Text, nullable=False),
    Column("basis_source", Text, nullable=False),
    Column("basis_calendar", Text, nullable=False),
    Column("basis_extension_days", Integer, nullable=False),
    # revision 0004: years counted on the provisional calendar ("2027"), "" for a final due date
    Column("basis_provisional_years", Text, nullable=False, server_default=""),
    one_of("clock", Clock),
    one_of("basis_clock", Clock),
    one_of("owed_by", Party),
    one_of("owed_to", Party),
    one_of("status", ObligationStatus),
    one_of("basis_convention", Convention),
    CheckConstraint("basis_days >= 0", name="basis_days_not_negative"),
    CheckConstraint("basis_extension_days >= 0", name="basis_extension_days_not_negative"),
    Index("ix_obligations_office_status_due", "office_code", "status", "due"),
    Index("ix_obligations_case", "case_id", "position"),
    # revision 0002: the due/overdue list reads open obligations only; revision 0020: ending with the id,
    # the index holds the list's whole sort key, so a page starts after the last duty seen (keyset paging)
    Index(
        "ix_obligations_open_due_key",
        "office_code",
        "due",
        "case_id",
        "clock",
        "id",
        "owed_by",  # last: the total (duties owed by the office or bodies) is counted from the index alone
        sqlite_where=text("status = 'open'"),
        postgresql_where=text("status = 'open'"),
    ),
)

events = Table(
    "events",
    metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),  # global append order
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("name", String(80), nullable=False),
    Column("actor", Text, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("payload", json_type(), nullable=False),
    Column("prev_digest", DIGEST, nullable=False),
    Column("digest", DIGEST, nullable=False),
    # revision 0006: the keyed seal (petitionkit.audit); NULL for events recorded without a key
    Column("key_id", String(40)),
    Column("state_digest", Text),
    Column("seal", DIGEST),
    UniqueConstraint("case_id", "sequence"),
    CheckConstraint("sequence >= 1", name="sequence_positive"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", BIGID, primary_key=True, autoincrement=True),  # enqueue order: FIFO within one instant
    Column("id", String(64), nullable=False, unique=True),
    Column("topic", String(80), nullable=False),
    Column("case_id", ID, ForeignKey("cases.id")),
    Column("payload", json_type(), nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("available_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("claimed_by", Text),
    Column("lease_until", UtcDateTime),
    # revision 0011: a sent or dead row is a receipt (payload reduced, docs/security.md): when, and a digest
    Column("finished_at", UtcDateTime),
    Column("digest", Text),
    one_of("status", OutboxStatus),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    Index("ix_outbox_status_available", "status", "available_at"),
)

# Tracking-number counters: one row per office and year, bumped with an upsert ... RETURNING.
tracking_counters = Table(
    "tracking_counters",
    metadata,
    Column("office_code", CODE, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_value", Integer, nullable=False),
    CheckConstraint("last_value >= 0", name="last_value_not_negative"),
)

# Formal-document numbers (文号): one counter row per office, document kind and year (revision 0016),
# bumped with an upsert ... RETURNING like the tracking numbers, inside the unit of work that records
# the document, so a number is never handed out twice.
document_counters = Table(
    "document_counters",
    metadata,
    Column("office_code", CODE, primary_key=True),
    Column("kind", CODE, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_value", Integer, nullable=False),
    CheckConstraint("last_value >= 0", name="last_value_not_negative"),
)

# The document register (发文登记, revision 0016): every document issued, one row per act and kind (a
# reprint finds its row: same number, same date).  No personal data: numbers, codes, dates, the actor.
issued_documents = Table(
    "issued_documents",
    metadata,
    Column("office_code", CODE, primary_key=True),
    Column("kind", CODE, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("number", Text, nullable=False),
    Column("case_id", ID, nullable=False),  # no foreign key: the register outlives a purged case
    Column("tracking_number", Text, nullable=False),
    Column("act", String(64), nullable=False),
    Column("act_date", IsoDate, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    UniqueConstraint("office_code", "kind", "case_id", "act"),
    Index("ix_issued_documents_issued", "office_code", "issued_at"),
)

# Reads of personal data (who, when, which case or query, how many, why): append-only, never updated.
access_log = Table(
    "access_log",
    metadata,
    Column("seq", BIGID, primary_key=True, autoincrement=True),  # append order
    Column("id", ID, nullable=False, unique=True),
    Column("office_code", CODE, nullable=False),
    Column("principal_id", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(40), nullable=False),
    Column("case_id", ID),
    Column("query", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("key_id", Text),  # revision 0007: the audit key that sealed the record
    Column("seal", Text),  # revision 0007: HMAC over the record (docs/audit.md)
    CheckConstraint("count >= 0", name="count_not_negative"),
    Index("ix_access_log_office_code_at", "office_code", "at"),
    Index("ix_access_log_case_id", "case_id"),
    Index("ix_access_log_principal_id", "principal_id"),
)

# revision 0008: envelope keys of field encryption (docs/security.md). Each office's data key (AES-256-GCM)
# and blind-index key (HMAC-SHA-256), stored only wrapped by a master key kept outside the database.
# One live key per office and purpose; a retired one stays to decrypt what it encrypted until rotated away.
data_keys = Table(
    "data_keys",
    metadata,
    Column("key_id", String(40), primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("purpose", String(10), nullable=False),
    Column("master_key_id", String(40), nullable=False),
    Column("wrapped", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime),
    # revision 0009 (key rotation): the data key's cipher, and when a retired key's secret was erased
    Column("algorithm", String(20), nullable=False, server_default="aes-256-gcm"),
    Column("destroyed_at", UtcDateTime),
    one_of("purpose", ("data", "index")),
    Index(
        "ux_data_keys_office_purpose_live",
        "office_code",
        "purpose",
        unique=True,
        sqlite_where=text("retired_at IS NULL"),
        postgresql_where=text("retired_at IS NULL"),
    ),
)

# revision 0014: the HTTP API (docs/http.md). API keys of system integrations, stored as SHA-256 digests of
# their secrets, each acting as one configured principal, expiring, revocable.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("principal_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("digest", DIGEST, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("revoked_at", UtcDateTime),
    Index("ix_api_keys_office", "office_code", "created_at"),
)

# revision 0014: what each Idempotency-Key POST answered (status 0: still running), so a retry replays it.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("office_code", CODE, primary_key=True),
    Column("principal_id", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_digest", DIGEST, nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("body_digest", DIGEST, nullable=False),
    Column("location", Text),
    Column("started_at", UtcDateTime, nullable=False),
)

# revision 0017: casework records of a case (petitionkit.domain.casework): receptions (接谈), investigations
# (调查核实) and the legal basis a decline or reply cited.  ``body`` is the whole record, sealed with the
# office's data key (its texts hold personal data); the other columns are what reports count without it.
casework = Table(
    "casework",
    metadata,
    Column("id", ID, primary_key=True),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("office_code", CODE, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("happened_at", UtcDateTime, nullable=False),
    Column("settled", Boolean),  # receptions: settled in talk (息诉)
    Column("body", json_type(), nullable=False),
    one_of("kind", CASEWORK_KINDS),
    Index("ix_casework_case", "case_id"),
    Index("ix_casework_office_kind_happened", "office_code", "kind", "happened_at"),
)

# revision 0015: the clerk's web workspace (docs/web.md). Local accounts (Argon2 hashes; the TOTP secret
# sealed like personal data), each acting as one configured principal; sessions kept only as the SHA-256
# of their id; failed sign-ins (the digest of the name typed, never the name or a password).
web_accounts = Table(
    "web_accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("username", String(64), nullable=False),
    Column("principal_id", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", Text),
    Column("locale", String(16)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("changed_at", UtcDateTime),
    Column("disabled_at", UtcDateTime),
    Column("totp_last_step", BigInteger),  # revision 0021: a TOTP code is accepted once
    UniqueConstraint("office_code", "username", name="uq_web_accounts_office_username"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", DIGEST, primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("principal_id", Text, nullable=False),
    Column("account_id", String(40)),
    Column("subject", Text),
    Column("locale", String(16)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    Index("ix_web_sessions_account", "account_id"),
    Index("ix_web_sessions_office_seen", "office_code", "seen_at"),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", BIGID, primary_key=True, autoincrement=True),
    Column("office_code", CODE, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("name_digest", DIGEST, nullable=False),
    Column("account_id", String(40)),
    Column("reason", String(16), nullable=False),
    Column("client", String(64), nullable=False),
    Index("ix_sign_in_failures_name", "office_code", "name_digest", "at"),
)

# revision 0018: attachments (附件; docs/attachments.md). The bytes live in the blob store, encrypted; here what
# describes them. The file name may name a person: sealed under the office's data key like other personal data.
attachments = Table(
    "attachments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("office_code", CODE, nullable=False),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("petition_id", ID),
    Column("kind", String(20), nullable=False),
    Column("media_type", String(120), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("digest", DIGEST, nullable=False),
    Column("blob_ref", DIGEST, nullable=False),
    Column("filename", Text, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("sealed_with", String(40)),  # the data key that sealed the blob: a rotation keeps it while named here
    one_of("kind", AttachmentKind),
    Index("ix_attachments_case", "case_id", "added_at"),
    Index("ix_attachments_office", "office_code", "id"),
    Index("ix_attachments_sealed_with", "sealed_with", "id"),  # revision 0025: what a key rotation re-seals
    Index("ix_attachments_blob_ref", "blob_ref"),  # revision 0025: whether another attachment shares a blob
)

# revision 0025: blobs no attachment needs any more (a key rotation re-sealed them, a purge erased their
# attachment), written in the transaction that stopped naming them and deleted from the blob store after its
# commit (docs/attachments.md); a crash between the two leaves the row, and the next run deletes the blob.
released_blobs = Table(
    "released_blobs",
    metadata,
    Column("office_code", CODE, primary_key=True),
    Column("blob_ref", DIGEST, primary_key=True),
    Column("released_at", UtcDateTime, nullable=False),
)

# revision 0018: the search index (检索). One row per searchable text of a case, keyed by its source; ``body`` is
# segmented words with personal data struck. SQLite indexes it with an FTS5 table (search_fts, external content,
# kept by triggers); PostgreSQL with the stored generated column body_tsv (to_tsvector('simple', body)) and a GIN
# index on it (revision 0022; 0018 to 0021 indexed the expression). Both made by the migrations.
search_documents = Table(
    "search_documents",
    metadata,
    Column("seq", BIGID, primary_key=True, autoincrement=True),
    Column("office_code", CODE, nullable=False),
    Column("case_id", ID, ForeignKey("cases.id"), nullable=False),
    Column("source_kind", String(32), nullable=False),
    Column("source_id", String(64), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("case_id", "source_kind", "source_id"),
    Index("ix_search_documents_office", "office_code", "seq"),
)

# revision 0023: the period report's petition counts, kept per office, UTC hour, dimension and key by triggers on
# petitions (storage.sql.tallies). ``dimension`` "all" holds the totals (key ""); a petition without a key for
# "respondent"/"respondent_body" counts under key "". Rows whose counts fell to zero stay (the report skips them).
# PostgreSQL: fillfactor 50, set by the migration (tallies.FILLFACTOR: its updates stay on their page).
petition_tallies = Table(
    "petition_tallies",
    metadata,
    Column("office_code", CODE, primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("hour", UtcDateTime, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("petitions", BigInteger, nullable=False),
    Column("people", BigInteger, nullable=False),
    Column("collective", BigInteger, nullable=False),
    Column("collective_people", BigInteger, nullable=False),
    Column("anonymous", BigInteger, nullable=False),
    Column("repeats", BigInteger, nullable=False),
)

#: What revisions 0018 and 0022 make for full-text search outside these tables (by dialect; not declared here:
#: SQLAlchemy cannot declare FTS5, and body_tsv exists on PostgreSQL only, read by attachment_state's text statements).
FULL_TEXT_OBJECTS = frozenset(
    {
        "search_fts",  # SQLite: the FTS5 table and its shadow tables
        "search_fts_data",
        "search_fts_idx",
        "search_fts_docsize",
        "search_fts_config",
        "body_tsv",  # PostgreSQL: search_documents' stored tsvector (revision 0022)
        "ix_search_documents_body_tsv",  # PostgreSQL: GIN over body_tsv
    }
)

TABLES = tuple(metadata.sorted_tables)
TABLE_NAMES = frozenset(t.name for t in TABLES)
