"""Delivery (送达): the outbox dispatcher and the notices the office sends its own staff."""

from __future__ import annotations

import hmac
import logging
import uuid
from datetime import datetime, timedelta

from petitionkit.domain.access import Permission
from petitionkit.notifications import dispatch as notify_dispatch
from petitionkit.notifications.planner import SCHEDULE_MISSING
from petitionkit.notify import DeliveryError, Message
from petitionkit.rules.calendar import ScheduleWarning
from petitionkit.service.base import OfficeBase
from petitionkit.service.results import DispatchResult, Receipt
from petitionkit.storage.base import OutboxMessage, OutboxStatus

log = logging.getLogger("petitionkit")


class Delivery(OfficeBase):
    def dispatch(
        self,
        *,
        worker: str = "dispatcher",
        limit: int = 100,
        max_attempts: int | None = None,
        lease_seconds: int = 300,
    ) -> DispatchResult:
        """Deliver one batch of queued messages, each through the notifier of its channel.

        A failed message is retried after an exponentially growing delay; after ``max_attempts``
        (default ``[settings.notifications] max_attempts``) it is dead and a staff alert is queued in
        the same transaction.  Several dispatchers may run at once: a claimed message is leased to
        one claim (``worker`` plus a random suffix, so two dispatchers with one name are still two),
        and the lease is renewed right before each message is sent: a message whose lease ran out
        and was claimed by another worker is not sent (counted in ``lost``).  A single send must end
        within ``lease_seconds`` (notifier timeouts are shorter).  Delivery is at least once;
        receivers deduplicate by the idempotency key.
        Needs ``configure`` (the office's scheduled jobs run as a configured principal).
        """
        self.access.require(Permission.CONFIGURE)
        planner = self.planner
        settings = planner.settings
        cap = max_attempts if max_attempts is not None else settings.max_attempts
        router = self.router
        now = self.now()
        lease = timedelta(seconds=lease_seconds)
        claim = f"{worker}#{uuid.uuid4().hex[:12]}"
        with self.storage.transaction() as tx:
            batch = tx.claim_outbox(claim, limit, now, now + lease)
        sent = failed = dead = lost = 0
        for item in batch:
            with self.storage.transaction() as tx:
                still_mine = tx.renew_outbox_lease(item.id, claim, self.now() + lease)
            if not still_mine:  # the batch outlived its lease and another worker owns this message now
                lost += 1
                continue
            now = self.now()
            attempts = item.attempts + 1
            alerts: list[OutboxMessage] = []
            error: str | None = None
            next_try: datetime | None = None
            digest: str | None = None
            try:
                # Rendered now, from the values stored with the change: a broken office template fails
                # the delivery (retried, then reported), never the change that queued the message.
                message = notify_dispatch.message_of(item, self.config, planner.renderer)
                digest = notify_dispatch.message_digest(message)
                router.send(message)
            except Exception as exc:
                # Scrubbed of the address, the template's values, what the case holds of its petitioners
                # and identity shapes: it is logged, kept in last_error and told to the staff.
                error = notify_dispatch.describe_error(exc, item.payload, self._case_values(item.case_id))
                log.warning("delivery of %s %s failed (attempt %d): %s", item.topic, item.id, attempts, error)
                final = isinstance(exc, DeliveryError) and not exc.retryable  # no later attempt can succeed
                if attempts >= cap or final:
                    status, dead = OutboxStatus.DEAD, dead + 1
                    alerts = notify_dispatch.dead_letter_alerts(planner, item, attempts, error, now)
                else:
                    status, failed = OutboxStatus.PENDING, failed + 1
                    wait = settings.backoff(attempts)
                    if isinstance(exc, DeliveryError) and exc.retry_after is not None:
                        wait = max(wait, exc.retry_after)  # the receiver asked for at least this long
                    next_try = now + timedelta(seconds=wait)
            else:
                status, sent = OutboxStatus.SENT, sent + 1
            with self.storage.transaction() as tx:
                # Sent or dead: the row becomes a receipt in this same write (payload erased, digest kept).
                tx.finish_outbox(
                    item.id,
                    claim,
                    status=status,
                    attempts=attempts,
                    error=error,
                    retry_at=next_try,
                    digest=digest,
                    at=now,
                )
                if alerts:
                    tx.enqueue(alerts)
        return DispatchResult(sent, failed, dead, lost)

    def _case_values(self, case_id: str | None) -> list[str]:
        if case_id is None:
            return []
        with self.storage.transaction() as tx:
            return notify_dispatch.case_values(tx.petitions_of_case(case_id))

    def receipts(self, case_ref: str) -> list[Receipt]:
        """The outbox rows of a case as receipts (type, kind of recipient, channel, status, times, digest):
        never an address, a template value or a text, so reading them is no read of personal data.
        Needs ``configure``."""
        self.access.require(Permission.CONFIGURE)
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            rows = tx.outbox_of_case(case.id)
        return [_receipt(m) for m in rows]

    def receipt_matches(self, message_id: str, message: Message) -> bool:
        """Whether ``message`` (a letter the office is shown: channel, address, subject, text and
        idempotency key, as the notifier received them) is the one the receipt ``message_id`` records.
        False for a message still pending, one without a digest, or an unknown id.  Needs ``configure``."""
        self.access.require(Permission.CONFIGURE)
        with self.storage.transaction() as tx:
            row = tx.outbox_message(message_id)
            if row is None or row.digest is None:
                return False
            expected = tx.receipt_digest(notify_dispatch.message_digest(message))
        return hmac.compare_digest(expected, row.digest)

    def warn_staff_of_missing_schedule(self) -> ScheduleWarning | None:
        """Queue the schedule warning (if any) to the office staff; its idempotency key is the missing year
        and today, so receivers see one notice a day however often the reminder run is started.
        Needs ``configure``."""
        self.access.require(Permission.CONFIGURE)
        warning = self.schedule_warning()
        if warning is None:
            return None
        now = self.now()
        planner = self.planner
        params = {"text": warning.text(planner.settings.locale), "missing_year": warning.missing_year}
        key = f"calendar-warning:{warning.missing_year}:{self.today().isoformat()}"
        with self.storage.transaction() as tx:
            tx.enqueue([m.to_outbox(now) for m in planner.staff_messages(SCHEDULE_MISSING, params, key)])
        return warning


def _receipt(m: OutboxMessage) -> Receipt:
    p = m.payload
    return Receipt(
        id=m.id,
        case_id=m.case_id,
        type=str(p.get("type", m.topic)),
        audience=str(p["audience"]) if p.get("audience") else None,
        channel=str(p["channel"]) if p.get("channel") else None,
        status=m.status.value,
        attempts=m.attempts,
        created_at=m.created_at,
        finished_at=m.finished_at,
        last_error=m.last_error,
        digest=m.digest,
    )
