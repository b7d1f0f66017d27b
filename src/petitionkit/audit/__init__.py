"""The audit trail that cannot be rewritten in silence (审计追踪): keys, seals, verification, checkpoints.

- :mod:`~petitionkit.audit.keys`: the audit key ring, kept outside the database;
- :mod:`~petitionkit.audit.seals`: the HMAC seal of each event and the state digest it binds;
- :mod:`~petitionkit.audit.trail`: verifying one case;
- :mod:`~petitionkit.audit.verify`: verifying the whole office through registered verifiers;
- :mod:`~petitionkit.audit.checkpoints`: signed checkpoints written outside the database.

See docs/audit.md.
"""

from typing import TYPE_CHECKING

from petitionkit.lazy import lazy_exports

if TYPE_CHECKING:
    from petitionkit.audit.checkpoints import Checkpoint, CheckpointError, CheckpointSink, load_checkpoint
    from petitionkit.audit.findings import AuditBreak, VerifierReport
    from petitionkit.audit.keys import KEY_ENV, AuditKey, KeyRing, load_keyring
    from petitionkit.audit.seals import seal_events, state_digest
    from petitionkit.audit.trail import CaseHead, verify_case
    from petitionkit.audit.verify import AuditReport, AuditRun, AuditVerifier, verify_office, write_checkpoint

__all__ = [
    "KEY_ENV",
    "AuditBreak",
    "AuditKey",
    "AuditReport",
    "AuditRun",
    "AuditVerifier",
    "CaseHead",
    "Checkpoint",
    "CheckpointError",
    "CheckpointSink",
    "KeyRing",
    "VerifierReport",
    "load_checkpoint",
    "load_keyring",
    "seal_events",
    "state_digest",
    "verify_case",
    "verify_office",
    "write_checkpoint",
]

#: Where each public name lives, imported on first use: importing one submodule (the command line's
#: start-up, a settings plugin) does not load the others (issue 21).
_HOME = {
    "AuditBreak": "findings",
    "AuditKey": "keys",
    "AuditReport": "verify",
    "AuditRun": "verify",
    "AuditVerifier": "verify",
    "CaseHead": "trail",
    "Checkpoint": "checkpoints",
    "CheckpointError": "checkpoints",
    "CheckpointSink": "checkpoints",
    "KEY_ENV": "keys",
    "KeyRing": "keys",
    "VerifierReport": "findings",
    "load_checkpoint": "checkpoints",
    "load_keyring": "keys",
    "seal_events": "seals",
    "state_digest": "seals",
    "verify_case": "trail",
    "verify_office": "verify",
    "write_checkpoint": "verify",
}


__getattr__ = lazy_exports(__name__, _HOME)
