"""Attachments (``petitionkit attachments add|list|get|verify``) and search (``petitionkit search``, ``reindex``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.audit_cmds import EXIT_AUDIT_BROKEN
from petitionkit.domain.attachments import Attachment, AttachmentKind
from petitionkit.errors import AttachmentRefused
from petitionkit.files import open_private
from petitionkit.i18n import translate


def attachment_view(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.id,
        "case_id": a.case_id,
        "petition_id": a.petition_id,
        "kind": a.kind.value,
        "media_type": a.media_type,
        "size": a.size,
        "sha256": a.digest,
        "filename": a.filename,
        "added_at": a.added_at.isoformat(),
        "added_by": a.added_by,
    }


def _print_attachments(views: list[dict[str, Any]]) -> None:
    for v in views:
        click.echo(
            f"{v['id']}  {v['kind']:<9} {v['media_type']:<18} {v['size']:>9}  {v['sha256'][:16]}  {v['filename']}"
        )


@click.group("attachments")
def attachments() -> None:
    """Files attached to cases (附件): scanned letters, photos, audio, documents, evidence."""


@attachments.command("add")
@click.argument("case_ref")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice([k.value for k in AttachmentKind]), default="document", show_default=True)
@click.option(
    "--type", "media_type", help="The file's media type as declared (image/jpeg ...); must match its content."
)
@click.option("--petition", "petition_id", help="The petition (id) the file came with.")
@click.option("--sha256", "expected_digest", help="Refuse the file unless its SHA-256 is this.")
@click.pass_obj
@run_command
def add(env: Env, /, case_ref: str, file: Path, kind: str, **options: Any) -> None:
    """Attach FILE to a case (checked by content, scanned, kept encrypted; the digest goes into the audit trail)."""
    try:
        data = file.read_bytes()
    except OSError:
        raise AttachmentRefused("file", "unreadable") from None
    view = attachment_view(env.office.attach(case_ref, data, filename=file.name, kind=kind, **options))
    env.emit(view, lambda: _print_attachments([view]))


@attachments.command("list")
@click.argument("case_ref")
@click.option("--purpose", default="", help="Why you read them (kept with the access record).")
@click.pass_obj
@run_command
def list_attachments(env: Env, case_ref: str, purpose: str) -> None:
    """A case's attachments (a read of personal data, on record)."""
    views = [attachment_view(a) for a in env.office.attachments(case_ref, purpose=purpose)]
    env.emit({"attachments": views, "count": len(views)}, lambda: _print_attachments(views))


@attachments.command("get")
@click.argument("attachment_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Write the file here.")
@click.option("--purpose", default="", help="Why you read it (kept with the access record).")
@click.pass_obj
@run_command
def get(env: Env, attachment_id: str, out: Path, purpose: str) -> None:
    """Write an attachment to --out (mode 0600), after checking it against its digest (on record)."""
    attachment, data = env.office.read_attachment(attachment_id, purpose=purpose)
    with open_private(out, binary=True) as handle:
        handle.write(data)
    view = {**attachment_view(attachment), "written": str(out)}
    env.emit(view, lambda: click.echo(translate("attachments.cli.written", env.locale, path=str(out))))


@attachments.command("verify")
@click.pass_obj
@run_command
def verify(env: Env) -> None:
    """Re-hash every attachment and compare it with the digest in the audit chain (exit 9 if any differs)."""
    checks = list(env.office.verify_attachments())
    broken = [c for c in checks if c.problem is not None]
    doc = {
        "checked": len(checks),
        "intact": not broken,
        "broken": [{"id": c.attachment_id, "case_id": c.case_id, "problem": c.problem} for c in broken],
    }

    def human() -> None:
        click.echo(translate("attachments.cli.verified", env.locale, checked=len(checks), broken=len(broken)))
        for c in broken:
            problem = translate(f"attachments.damage.{c.problem}", env.locale)
            click.echo(f"  {c.attachment_id}  {problem}")

    env.emit(doc, human)
    if broken:
        sys.exit(EXIT_AUDIT_BROKEN)


@attachments.command("import-legacy")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--require-digest", is_flag=True, help="Refuse a referenced file whose SHA-256 was not listed.")
@click.pass_obj
@run_command
def import_legacy(env: Env, folder: Path, require_digest: bool) -> None:
    """Store the files imported histories refer to (paths under FOLDER), checked against their SHA-256."""
    report = env.office.import_legacy_attachments(folder, require_digest=require_digest)
    problems = [{"tracking_number": p.tracking_number, "index": p.index, "reason": p.reason} for p in report.problems]
    doc = {"stored": report.stored, "skipped": report.skipped, "problems": problems}

    def human() -> None:
        click.echo(translate("attachments.cli.imported", env.locale, stored=report.stored, skipped=report.skipped))
        for p in report.problems:
            reason = translate(f"attachments.refused.{p.reason}", env.locale, **_NO_DETAIL)
            click.echo(f"  {p.tracking_number} attachments[{p.index}]: {reason}")

    env.emit(doc, human)
    if problems:
        sys.exit(2)


#: Placeholders of refusal texts that need details (a legacy report keeps only the reason).
_NO_DETAIL = {"size": "-", "limit": "-", "found": "-", "allowed": "-", "declared": "-", "scanner": "-", "finding": "-"}


@click.command("search")
@click.argument("text", required=False)
@click.option("--name", help="A petitioner's name (with --phone or --address).")
@click.option("--phone", help="A petitioner's phone number.")
@click.option("--id-number", help="A petitioner's ID number.")
@click.option("--address", help="A petitioner's address (with --name).")
@click.option("--before", type=click.IntRange(1), help="The 'next' of the previous page.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--purpose", default="", help="Why you look a person up (kept with the access record).")
@click.pass_obj
@run_command
def search(env: Env, /, text: str | None, before: int | None, limit: int, purpose: str, **person: str | None) -> None:
    """Find cases by words in their texts (TEXT), or a petitioner by phone, ID number or name (exact)."""
    office = env.office
    if any(person.values()):
        cases = office.find_person(purpose=purpose, **person)
        found: list[dict[str, Any]] = [
            {"case_id": c.id, "tracking_number": c.first_tracking_number, "subject": c.subject, "state": c.state.value}
            for c in cases
        ]
        doc: dict[str, Any] = {"results": found, "count": len(found), "next": None}
    else:
        page = office.search_text(text or "", before=before, limit=limit)
        found = [
            {
                "case_id": r.case_id,
                "tracking_number": r.tracking_number,
                "subject": r.subject,
                "state": r.state,
                "source": r.source_kind,
                "position": r.position,
            }
            for r in page.results
        ]
        doc = {"results": found, "count": len(found), "next": page.next}

    def human() -> None:
        if not found:
            click.echo(translate("search.none", env.locale))
        for r in found:
            state = translate("state." + r["state"], env.locale)
            click.echo(f"{r['tracking_number']}  {state}  {r['subject']}")
        if doc["next"] is not None:
            click.echo(translate("search.more", env.locale, before=doc["next"]))

    env.emit(doc, human)


@click.command("reindex")
@click.pass_obj
@run_command
def reindex(env: Env) -> None:
    """Rebuild the search index from every case (after an upgrade to revision 0018, or to repair it)."""
    count = env.office.reindex()
    env.emit({"cases": count}, lambda: click.echo(translate("search.reindexed", env.locale, count=count)))


COMMANDS: list[click.Command] = [attachments, search, reindex]
