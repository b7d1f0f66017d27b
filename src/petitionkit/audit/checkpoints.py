"""Signed checkpoints (检查点) of the audit trail, written outside the database.

As in Certificate Transparency (RFC 6962/9162), a checkpoint is a signed statement of the log's
size and a Merkle root: here the number of cases and events, and the root over every case's head
(``case_id``, last sequence, last event digest).  It carries the heads themselves, so a later
``petitionkit audit verify --against FILE`` can say which case was truncated or rewritten, and it is
signed with HMAC-SHA-256 by the office's active audit key.  A database restored from an older
backup, or a case whose last events were deleted, no longer reaches a head the checkpoint recorded.

Checkpoints leave through a *sink*: the built-in ``folder`` (one new file per checkpoint, never
overwriting one) and ``webhook`` (a POST to another system), or one a plugin registers
(``petitionkit_register_checkpoint_sinks``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from petitionkit import hookspecs
from petitionkit.audit.keys import KeyRing
from petitionkit.audit.merkle import merkle_root
from petitionkit.audit.settings import audit_settings, office_path
from petitionkit.audit.trail import CaseHead
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError, PetitionkitError

if TYPE_CHECKING:
    import pluggy

CHECKPOINT_FORMAT = "petitionkit-checkpoint/1"


class CheckpointError(PetitionkitError):
    """A checkpoint cannot be read, or its signature or root does not match (exit code 9)."""

    code = "checkpoint"
    exit_code = 9
    key = "error.checkpoint"

    def __init__(self, where: str, problem: str) -> None:
        super().__init__()
        self.where, self.problem = where, problem

    def params(self, locale: str) -> dict[str, Any]:
        return {"where": self.where, "problem": self.problem}


@attrs.frozen
class Checkpoint:
    """A signed statement of the audit trail at ``created_at``."""

    office_code: str
    created_at: datetime
    case_count: int
    event_count: int
    root: str  # RFC 6962 Merkle tree hash over the heads, in case id order
    key_id: str
    heads: tuple[CaseHead, ...] = attrs.field(repr=False)
    signature: str = ""
    # The access records at that time: how many, and a running digest over their ids and seals in
    # append order (petitionkit.audit.verify.AccessTally); "" in checkpoints written before.
    access_count: int = 0
    access_root: str = ""

    def body(self) -> dict[str, Any]:
        """The signed part (the heads are covered through ``root``)."""
        body: dict[str, Any] = {
            "format": CHECKPOINT_FORMAT,
            "office_code": self.office_code,
            "created_at": self.created_at.isoformat(),
            "case_count": self.case_count,
            "event_count": self.event_count,
            "root": self.root,
            "key_id": self.key_id,
        }
        if self.access_root:  # older checkpoints were signed without these
            body |= {"access_count": self.access_count, "access_root": self.access_root}
        return body

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.body(),
            "signature": self.signature,
            "heads": [[h.case_id, h.sequence, h.digest] for h in self.heads],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def _leaf(head: CaseHead) -> bytes:
    return f"{head.case_id}\n{head.sequence}\n{head.digest}".encode()


def _sign(secret: bytes, body: dict[str, Any]) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(
    office_code: str,
    heads: Sequence[CaseHead],
    ring: KeyRing,
    now: datetime,
    *,
    access: tuple[int, str] = (0, ""),
) -> Checkpoint:
    """A checkpoint over ``heads`` (and ``access``: the access records' count and running digest),
    signed with the ring's active key."""
    key = ring.active
    if key is None:
        raise ConfigurationError("settings.audit.key_file", "a checkpoint is signed with the audit key; none is set")
    ordered = tuple(sorted(heads, key=lambda h: h.case_id))
    unsigned = Checkpoint(
        office_code,
        now,
        len(ordered),
        sum(h.sequence for h in ordered),
        merkle_root([_leaf(h) for h in ordered]),
        key.key_id,
        ordered,
        access_count=access[0],
        access_root=access[1],
    )
    return attrs.evolve(unsigned, signature=_sign(key.secret, unsigned.body()))


def load_checkpoint(path: Path, ring: KeyRing) -> Checkpoint:
    """Read and check a checkpoint file: its signature (with the key that made it) and its root."""
    where = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        heads = tuple(CaseHead(str(c), int(s), str(d)) for c, s, d in data["heads"])
        checkpoint = Checkpoint(
            office_code=str(data["office_code"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            case_count=int(data["case_count"]),
            event_count=int(data["event_count"]),
            root=str(data["root"]),
            key_id=str(data["key_id"]),
            heads=heads,
            signature=str(data["signature"]),
            access_count=int(data.get("access_count", 0)),
            access_root=str(data.get("access_root", "")),
        )
        if data.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(where, f"is not a {CHECKPOINT_FORMAT} file")
    except FileNotFoundError:
        raise CheckpointError(where, "does not exist") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(where, f"cannot be read ({type(exc).__name__})") from None
    secret = ring.secret(checkpoint.key_id)
    if secret is None:
        raise CheckpointError(where, f"was signed with key '{checkpoint.key_id}', which the key ring lacks")
    if not hmac.compare_digest(_sign(secret, checkpoint.body()), checkpoint.signature):
        raise CheckpointError(where, "its signature does not match: it was altered, or another key signed it")
    if merkle_root([_leaf(h) for h in heads]) != checkpoint.root or len(heads) != checkpoint.case_count:
        raise CheckpointError(where, "its case heads do not give its signed root")
    return checkpoint


# --- sinks ----------------------------------------------------------------------------------------


class CheckpointSink(Protocol):
    """Where checkpoints go; ``write`` returns where this one went (a path, a URL)."""

    def write(self, checkpoint: Checkpoint) -> str: ...


#: What ``petitionkit_register_checkpoint_sinks`` registers: ``factory(config) -> sink``.
SinkFactory = Callable[[OfficeConfig], CheckpointSink]


class FolderSink:
    """One new file per checkpoint in an append-only folder; an existing file is never overwritten."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, checkpoint: Checkpoint) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = checkpoint.created_at.strftime("%Y%m%dT%H%M%S%f%z")
        base = f"checkpoint-{checkpoint.office_code}-{stamp}-{checkpoint.root[:12]}"
        for attempt in range(1000):  # same time and root twice: a new name, never the old file
            path = self.folder / (f"{base}.json" if attempt == 0 else f"{base}-{attempt}.json")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise ConfigurationError("settings.audit.checkpoint_folder", f"{self.folder}: {exc.strerror}") from None
        else:
            raise CheckpointError(str(self.folder), "has 1000 checkpoints of one instant; none is overwritten")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(checkpoint.to_json())
        return str(path)


class WebhookSink:
    """POST the checkpoint as JSON to another system (``[settings.audit] checkpoint_url``)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url, self.timeout = url, timeout

    def write(self, checkpoint: Checkpoint) -> str:
        request = urllib.request.Request(
            self.url,
            data=checkpoint.to_json().encode("utf-8"),
            headers={"Content-Type": "application/json", "X-Petitionkit-Checkpoint-Root": checkpoint.root},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except (urllib.error.URLError, OSError) as exc:
            raise ConfigurationError("settings.audit.checkpoint_url", f"the webhook failed: {exc}") from None
        if not 200 <= status < 300:
            raise ConfigurationError("settings.audit.checkpoint_url", f"the webhook answered {status}")
        return self.url


def folder_sink(config: OfficeConfig) -> CheckpointSink:
    return FolderSink(office_path(config, audit_settings(config).checkpoint_folder))


def webhook_sink(config: OfficeConfig) -> CheckpointSink:
    url = audit_settings(config).checkpoint_url
    if url is None:
        raise ConfigurationError("settings.audit.checkpoint_url", "the webhook sink needs a URL")
    return WebhookSink(url)


def checkpoint_sink(config: OfficeConfig, pm: pluggy.PluginManager) -> CheckpointSink:
    """The sink ``[settings.audit] checkpoint_sink`` names (registered through the public hook)."""
    name = audit_settings(config).checkpoint_sink
    sinks: dict[str, SinkFactory] = hookspecs.collect(pm.hook.petitionkit_register_checkpoint_sinks)
    if name not in sinks:
        raise ConfigurationError(
            "settings.audit.checkpoint_sink", f"'{name}' is not registered; installed: {', '.join(sorted(sinks))}"
        )
    return sinks[name](config)
