"""Offices that share one database: a city office and its county offices (上下级人大信访工作机构).

A referral (transfer or assignment) to a body that *is* another office of the network arrives in that
office as a petition referred in (``channel = referred_in``), in the same transaction, so nothing is
lost between levels. When the receiving office replies, the reply goes back to the sending office's
case in the same transaction: an assignment gets its result report, a transfer its feedback.

Configure it in every member office's ``petitionkit.toml``::

    [network]
    offices = { HZ = "city.toml", QX = "qingxi.toml" }   # office code -> its config file
    bodies = { "QX-CONGRESS" = "QX" }                    # body code (in the rule pack) -> office code
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from petitionkit.config import OfficeConfig
from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.drafts import PetitionDraft
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, CaseState, Channel, Petition, PetitionKind, ReferralStatus
from petitionkit.errors import ConfigurationError
from petitionkit.storage.base import Transaction

if TYPE_CHECKING:
    from petitionkit.service import Office

Published = list[tuple["Office", tuple[Event, ...]]]


class OfficeNetwork:
    """The other offices of a network, opened on the same storage as the home office."""

    def __init__(self, home: Office, open_peer: Callable[[OfficeConfig], Office]) -> None:
        self.home = home
        self.open_peer = open_peer  # from the composition root: same storage, plugins and clock
        self._peers: dict[str, Office] = {}

    @property
    def active(self) -> bool:
        return bool(self.home.config.network_bodies or self.home.config.network_offices)

    def peer(self, office_code: str) -> Office:
        """The office ``office_code`` on the home office's storage, clock and plugins."""
        if office_code == self.home.config.office_code:
            return self.home
        if office_code not in self._peers:
            path = self.home.config.network_offices.get(office_code)
            if path is None:
                raise ConfigurationError(f"network.offices.{office_code}", "is not declared; add the office's config")
            config = OfficeConfig.load(Path(self.home.config.base_dir) / path, env={})
            if config.office_code != office_code:
                raise ConfigurationError(f"network.offices.{office_code}", f"{path} is office {config.office_code}")
            peer = self.open_peer(config)
            principal = self.home.principal  # the same principal acts on every office of the network
            self._peers[office_code] = peer if principal is None else peer.acting_as(principal)
        return self._peers[office_code]

    def after(self, tx: Transaction, decision: lc.Decision, actor: str, now: datetime) -> Published:
        """Hand referrals over and answers back, inside the transaction that made ``decision``."""
        published: Published = []
        for event in decision.events:
            match event.data:
                case (
                    ev.CaseTransferred(body_code=body, referral_id=referral)
                    | ev.CaseAssigned(body_code=body, referral_id=referral)
                ):
                    target = self.home.config.network_bodies.get(body)
                    if target is not None:
                        peer = self.peer(target)
                        published.append((peer, peer.receive_referral(tx, decision.case, referral, actor)))
                case ev.ReplyRecorded() | ev.ReportRecorded():
                    published.extend(self._answer_upstream(tx, decision.case, actor, now))
        return published

    def _answer_upstream(self, tx: Transaction, case: Case, actor: str, now: datetime) -> Published:
        petitions = tx.petitions_of_case(case.id)
        origin = next((p for p in petitions if p.channel is Channel.REFERRED_IN and p.source_ref), None)
        if origin is None or origin.source_ref is None or ":" not in origin.source_ref:
            return []
        office_code, referral_id = origin.source_ref.split(":", 1)
        if office_code not in self.home.config.network_offices:
            return []
        upstream = self.peer(office_code)
        upstream_case = _case_of_referral(tx, upstream, origin.referred_from)
        if upstream_case is None or case.reply is None:
            return []
        referral = upstream_case.current_referral
        if referral is None or referral.id != referral_id or referral.status is not ReferralStatus.OPEN:
            return []
        text = f"{self.home.config.office_name}（{case.first_tracking_number}）：{case.reply.text}"
        command: lc.Command
        if upstream_case.state is CaseState.ASSIGNED:
            command = lc.RecordReport(case.reply.outcome, text)
        else:
            command = lc.RecordFeedback(text)
        ctx = upstream.uow.context(actor, now.astimezone(upstream.zone), upstream_case)
        answer = lc.decide(upstream_case, command, ctx)
        upstream.uow.write(tx, answer, upstream_case.version, now)
        return [(upstream, answer.events)]


def _case_of_referral(tx: Transaction, office: Office, referred_from: str | None) -> Case | None:
    if not referred_from or ":" not in referred_from:
        return None
    tracking = referred_from.split(":", 1)[1]
    petition = tx.petition_by_tracking_number(office.config.office_code, tracking)
    return tx.get_case(petition.case_id) if petition else None


def referred_draft(
    case: Case, origin_petitions: list[Petition], referral_id: str, received_at: datetime
) -> PetitionDraft:
    """The petition a receiving office registers for a referral from another office of the network.

    It carries the strictest protection of the case's petitions: an accusation anywhere in the case
    makes it an accusation against that petition's respondent, and any confidential petition makes it
    confidential, so the receiving office's guard and redaction apply in turn.
    """
    first = origin_petitions[0]
    accusation = next((p for p in origin_petitions if p.kind is PetitionKind.ACCUSATION), None)
    return PetitionDraft(
        channel=Channel.REFERRED_IN,
        received_at=received_at,
        kind=PetitionKind.ACCUSATION if accusation else case.kind,
        subject=case.subject,
        content=first.content,
        category=case.category,
        region_code=case.region_code,
        petitioners=first.petitioners,
        anonymous=first.anonymous,
        confidential=case.confidential or any(p.confidential for p in origin_petitions),
        headcount=max(p.headcount for p in origin_petitions),
        respondent=accusation.respondent if accusation else case.respondent,
        attachments=first.attachments,
        referred_from=f"{case.office_code}:{case.first_tracking_number}",
        source_ref=f"{case.office_code}:{referral_id}",
    )
