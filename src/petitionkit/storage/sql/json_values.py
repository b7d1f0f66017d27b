"""The JSON shapes of the nested value objects that live in JSON columns.

Nested value objects that no query needs (reply, decline, extension, review steps, evaluations,
respondent, petitioners, attachments) travel as JSON with their times in ISO-8601 form with the
offset they had, so they come back equal.  Optional keys are read with ``.get()`` so rows written
before a field existed still load.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from petitionkit.domain.model import (
    Attachment,
    Decline,
    DeclineChannel,
    Evaluation,
    EvaluationRating,
    Extension,
    Feedback,
    Person,
    PetitionerRole,
    Reply,
    ReplyOutcome,
    Respondent,
    ReviewStep,
)


def feedback_json(f: Feedback) -> dict[str, Any]:
    return {
        "text": f.text,
        "received_on": _iso(f.received_on),
        "recorded_at": f.recorded_at.isoformat(),
        "recorded_by": f.recorded_by,
    }


def feedback_from_json(d: Mapping[str, Any]) -> Feedback:
    received = d.get("received_on")
    return Feedback(
        d["text"],
        None if received is None else date.fromisoformat(received),
        datetime.fromisoformat(d["recorded_at"]),
        d.get("recorded_by", ""),
    )


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def respondent_json(r: Respondent | None) -> dict[str, Any] | None:
    if r is None:
        return None
    data: dict[str, Any] = {"person_name": r.person_name, "unit_name": r.unit_name, "body_code": r.body_code}
    if r.unlisted:
        data["unlisted"] = True
    return data


def respondent_from_json(data: Mapping[str, Any] | None) -> Respondent | None:
    if data is None:
        return None
    return Respondent(data["person_name"], data["unit_name"], data["body_code"], bool(data.get("unlisted", False)))


def person_json(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "role": p.role.value,
        "id_number": p.id_number,
        "phone": p.phone,
        "address": p.address,
        "email": p.email,
        "mandate_ref": p.mandate_ref,
    }


def person_from_json(d: Mapping[str, Any]) -> Person:
    # Optional fields by .get(): rows written before a field existed still load.
    return Person(
        name=d["name"],
        role=PetitionerRole(d["role"]),
        id_number=d.get("id_number"),
        phone=d.get("phone"),
        address=d.get("address"),
        email=d.get("email"),
        mandate_ref=d.get("mandate_ref"),
    )


def attachment_json(a: Attachment) -> dict[str, Any]:
    return {"name": a.name, "uri": a.uri, "sha256": a.sha256}


def attachment_from_json(d: Mapping[str, Any]) -> Attachment:
    return Attachment(d["name"], d["uri"], d["sha256"])


def decline_json(d: Decline | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"reason": d.reason, "channel": d.channel.value, "declined_at": d.declined_at.isoformat()}


def decline_from_json(d: Mapping[str, Any] | None) -> Decline | None:
    if d is None:
        return None
    return Decline(d["reason"], DeclineChannel(d["channel"]), datetime.fromisoformat(d["declined_at"]))


def extension_json(e: Extension | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"days": e.days, "reason": e.reason, "approved_by": e.approved_by, "extended_at": e.extended_at.isoformat()}


def extension_from_json(d: Mapping[str, Any] | None) -> Extension | None:
    if d is None:
        return None
    return Extension(d["days"], d["reason"], d["approved_by"], datetime.fromisoformat(d["extended_at"]))


def reply_json(r: Reply | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "outcome": r.outcome.value,
        "text": r.text,
        "replied_at": r.replied_at.isoformat(),
        "delivered_on": r.delivered_on.isoformat(),
        "by_body_code": r.by_body_code,
    }


def reply_from_json(d: Mapping[str, Any] | None) -> Reply | None:
    if d is None:
        return None
    return Reply(
        ReplyOutcome(d["outcome"]),
        d["text"],
        datetime.fromisoformat(d["replied_at"]),
        date.fromisoformat(d["delivered_on"]),
        d["by_body_code"],
    )


def evaluation_json(e: Evaluation) -> dict[str, Any]:
    return {"rating": e.rating.value, "comment": e.comment, "evaluated_at": e.evaluated_at.isoformat()}


def evaluation_from_json(d: Mapping[str, Any]) -> Evaluation:
    return Evaluation(EvaluationRating(d["rating"]), d["comment"], datetime.fromisoformat(d["evaluated_at"]))


def review_json(r: ReviewStep | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "requested_on": r.requested_on.isoformat(),
        "reason": r.reason,
        "organ": r.organ,
        "opinion": r.opinion,
        "outcome": None if r.outcome is None else r.outcome.value,
        "decided_at": _iso(r.decided_at),
    }


def review_from_json(d: Mapping[str, Any] | None) -> ReviewStep | None:
    if d is None:
        return None
    return ReviewStep(
        date.fromisoformat(d["requested_on"]),
        d["reason"],
        d["organ"],
        d["opinion"],
        None if d["outcome"] is None else ReplyOutcome(d["outcome"]),
        _dt(d["decided_at"]),
    )
