"""Delivery (送达): the outbox dispatcher and the notices the office sends its own staff."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from petitionkit.domain.access import Permission
from petitionkit.notifications import dispatch as notify_dispatch
from petitionkit.notifications.planner import SCHEDULE_MISSING
from petitionkit.notify import DeliveryError
from petitionkit.rules.calendar import ScheduleWarning
from petitionkit.service.base import OfficeBase
from petitionkit.service.results import DispatchResult
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
            try:
                # Rendered now, from the values stored with the change: a broken office template fails
                # the delivery (retried, then reported), never the change that queued the message.
                router.send(notify_dispatch.message_of(item, self.config, planner.renderer))
            except Exception as exc:
                error = notify_dispatch.describe_error(exc)
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
                tx.finish_outbox(item.id, claim, status=status, attempts=attempts, error=error, retry_at=next_try)
                if alerts:
                    tx.enqueue(alerts)
        return DispatchResult(sent, failed, dead, lost)

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
