"""Delivered and dead outbox rows become receipts: ``outbox.finished_at`` and ``outbox.digest``.

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-30

A sent or dead message keeps only a receipt (docs/security.md): what kind of message, to which kind
of recipient, over which channel, for which case, when it was created and finished, how many attempts
and a digest of the message sent.  This revision adds the two columns and reduces every sent or dead
row written before it to its receipt in place: the address, the template's values and any rendered
text (``recipient``, ``context``, ``subject``, ``body``, sealed or not) are erased; no key is needed to
drop them.  Those rows get no digest (it was never computed) and no ``finished_at`` (never recorded).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# petitionkit.storage.base.RECEIPT_KEYS as of this revision (a migration does not follow later code).
_RECEIPT_KEYS = ("type", "audience", "channel", "obligation_id", "body_code")
_BATCH = 500


def upgrade() -> None:
    op.add_column("outbox", sa.Column("finished_at", UtcDateTime(), nullable=True))
    op.add_column("outbox", sa.Column("digest", sa.Text(), nullable=True))
    bind = op.get_bind()
    outbox = sa.table("outbox", sa.column("seq", sa.BigInteger()), sa.column("payload", sa.Text()))
    payload_text = sa.cast(outbox.c.payload, sa.Text()) if bind.dialect.name == "postgresql" else outbox.c.payload
    finished = sa.text("status IN ('sent', 'dead')")
    value = "CAST(:payload AS json)" if bind.dialect.name == "postgresql" else ":payload"
    update = sa.text(f"UPDATE outbox SET payload = {value} WHERE seq = :seq")
    after = 0
    while True:
        found = bind.execute(
            sa.select(outbox.c.seq, payload_text.label("payload"))
            .where(finished, outbox.c.seq > after)
            .order_by(outbox.c.seq)
            .limit(_BATCH)
        ).all()
        if not found:
            break
        for seq, stored in found:
            receipt = _receipt(stored)
            if receipt is not None:
                bind.execute(update, {"payload": receipt, "seq": seq})
        after = found[-1][0]


def _receipt(stored: Any) -> str | None:
    """The receipt's JSON text of a stored payload, or ``None`` when it is one already."""
    payload = json.loads(stored) if isinstance(stored, str) else stored
    if not isinstance(payload, dict):
        return "{}"
    kept = {key: payload[key] for key in _RECEIPT_KEYS if payload.get(key) is not None}
    if kept == payload:
        return None
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def downgrade() -> None:
    # The erased payloads are not restored: they are gone by design.
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("digest")
        batch.drop_column("finished_at")
