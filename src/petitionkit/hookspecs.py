"""Hook specifications: the extension points of petitionkit.

Hooks are grouped by lifecycle phase.  Backend hooks receive a ``register`` callable rather
than returning a value, so new keyword arguments can be added later without breaking plugins.
Every hook is documented in docs/plugins.md; tests fail when a hook lacks documentation or a test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from petitionkit.attachments.blobs import BlobStore
    from petitionkit.config import OfficeConfig
    from petitionkit.domain.access import Principal, Role
    from petitionkit.domain.attachments import ScanVerdict
    from petitionkit.domain.events import Event
    from petitionkit.domain.model import Case
    from petitionkit.domain.ports import Rules
    from petitionkit.notify import Notifier
    from petitionkit.service import Office
    from petitionkit.storage.base import Storage

PROJECT = "petitionkit"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

StorageFactory = Callable[[str, "OfficeConfig"], "Storage"]
RulesFactory = Callable[["OfficeConfig"], "Rules"]
NotifierFactory = Callable[["OfficeConfig"], "Notifier"]
BlobStoreFactory = Callable[["OfficeConfig"], "BlobStore"]


# --- start-up: settings ----------------------------------------------------------------------


@hookspec
def petitionkit_declare_settings(register: Callable[..., None]) -> None:
    """Declare the typed settings a plugin reads from ``[settings.<name>]`` of petitionkit.toml.

    :param register: call ``register(name, cls)``; ``cls`` is an attrs class whose fields are the
        table's keys (typed; defaults for optional keys; attrs validators for values, raising
        :class:`petitionkit.settings.SettingProblem`).  When the office opens, a present table is
        structured into ``cls`` and a bad key is a :class:`~petitionkit.errors.ConfigurationError`
        naming ``settings.<name>.<key>``; read the typed object with
        :func:`petitionkit.settings.read_settings`.
    :return: nothing.
    """


# --- start-up: backends ----------------------------------------------------------------------


@hookspec
def petitionkit_register_storage(register: Callable[..., None]) -> None:
    """Register storage backends.

    :param register: call ``register(scheme, factory, *, report_source=None)`` once per URL scheme
        the plugin serves (``"memory"``, ``"sqlite"``, ``"postgresql"`` ...).  ``factory(url, config)``
        returns an object implementing :class:`petitionkit.storage.Storage`; it must raise
        :class:`petitionkit.errors.StorageError` (never another exception) when the URL cannot be used.
        ``report_source(storage)``, if given, returns the
        :class:`~petitionkit.reports.source.ReportSource` answering report queries for a storage the
        factory made (without one, reports are refused for that scheme).
    :return: nothing; results are collected through ``register``.
    """


@hookspec
def petitionkit_register_rules(register: Callable[..., None]) -> None:
    """Register jurisdiction rule sets.

    :param register: call ``register(name, factory)``; ``factory(config)`` returns an object
        implementing :class:`petitionkit.domain.ports.Rules`.  ``config.rules`` names the one an
        office uses.
    :return: nothing.
    """


@hookspec
def petitionkit_register_notifiers(register: Callable[..., None]) -> None:
    """Register notifiers (console, e-mail, webhook ...).

    :param register: call ``register(name, factory)``; ``factory(config)`` returns an object with
        ``send(message)`` (see :class:`petitionkit.notify.Notifier`) that delivers a message or raises.
        It should raise :class:`petitionkit.errors.ConfigurationError` for bad settings.
    :return: nothing.
    """


@hookspec
def petitionkit_register_blob_stores(register: Callable[..., None]) -> None:
    """Register stores for attachments' bytes (a folder, an S3-compatible object store ...).

    :param register: call ``register(name, factory)``; ``factory(config)`` returns an object
        implementing :class:`petitionkit.attachments.BlobStore` (``put(data) -> name``, ``get(name)``,
        ``exists(name)``; names are the SHA-256 hex of the bytes).  ``[settings.attachments] store``
        names the one an office uses (built in: ``folder``, ``s3``).  The bytes it is given are
        already encrypted.  Raise :class:`~petitionkit.errors.ConfigurationError` for bad settings.
    :return: nothing.
    """


@hookspec
def petitionkit_register_predicates(register: Callable[..., None]) -> None:
    """Register named predicates that rule packs refer to (``predicate = "name"``).

    :param register: call ``register(name, predicate)``; ``predicate(query)`` receives a
        :class:`~petitionkit.rules.decisions.ScreeningQuery` (screening rules) or a
        :class:`~petitionkit.rules.decisions.RouteQuery` (routing rules) and returns a bool.  A pack
        naming a predicate nobody registered is refused when it is loaded.
    :return: nothing.
    """


@hookspec
def petitionkit_register_commands(cli: click.Group) -> None:
    """Add commands to the ``petitionkit`` command line.

    :param cli: the top-level click group; call ``cli.add_command(...)``.
    :return: nothing.
    """


# --- running: decisions ------------------------------------------------------------------------


@hookspec
def petitionkit_permission_allowed(
    principal: Principal, permission: str, case: Case | None, roles: Mapping[str, Role]
) -> bool | None:
    """Decide whether ``principal`` may do ``permission`` (on ``case``), as datasette's ``permission_allowed``.

    Every implementation is asked: any ``False`` denies (a veto), otherwise any ``True`` allows,
    otherwise the answer is no (fail closed).  The built-in role policy
    (``petitionkit.default_plugins.role_policy``) allows what the principal's roles grant; a county can
    add its OA system's decisions, or veto.  Whatever the hook says, a handling-body principal never
    reaches a case not referred to one of its bodies, nor does more than a body records.

    :param principal: the authenticated principal acting (id, roles, body codes).
    :param permission: a :class:`~petitionkit.domain.access.Permission` value (``"register"`` ...).
    :param case: the case the use case acts on (``None`` for office-wide use cases).
    :param roles: the office's role table (``[roles.<name>]`` of its rule packs).
    :return: ``True`` to allow, ``False`` to veto, ``None`` for no opinion.
    """


@hookspec
def petitionkit_scan_attachment(data: bytes, media_type: str, config: OfficeConfig) -> ScanVerdict | None:
    """Scan a file before it is attached (a virus scanner, a content policy ...).

    Every implementation is asked.  A :class:`~petitionkit.domain.attachments.ScanVerdict` with a
    ``finding`` refuses the file (:class:`~petitionkit.errors.AttachmentRefused`, naming the scanner and
    the finding) and nothing is stored; one without says the scanner found it clean.  Raise (any
    exception) when the scan cannot be done: the file is then not attached either (fail closed).
    ``[settings.attachments] scanners_required = true`` refuses a file no scanner gave a verdict on.

    :param data: the file's bytes as received (plain, before encryption).
    :param media_type: its type as told from its content (``image/jpeg`` ...).
    :param config: the office's configuration (read a scanner's own ``[settings.<name>]`` from it).
    :return: the verdict, or ``None`` when this scanner has no opinion (e.g. not configured for the office).
    """


# --- audit ---------------------------------------------------------------------------------------


@hookspec
def petitionkit_register_key_providers(register: Callable[..., None]) -> None:
    """Register sources of the audit key ring (a secrets manager, a hardware module ...).

    :param register: call ``register(name, provider)``; ``provider(config)`` returns an iterable of
        ``(key_id, secret_bytes)`` pairs, oldest first (the last seals new events, the others verify
        older segments).  ``[settings.audit] key_provider`` names the one an office uses; the
        environment variable ``PETITIONKIT_AUDIT_KEY`` overrides it.  Raise
        :class:`~petitionkit.errors.ConfigurationError` when the keys cannot be had.
    :return: nothing.
    """


@hookspec
def petitionkit_register_master_key_providers(register: Callable[..., None]) -> None:
    """Register sources of the master key of field encryption (a government KMS, a hardware module ...).

    :param register: call ``register(name, provider)``; ``provider(config)`` returns an iterable of
        ``(key_id, secret_bytes)`` pairs, oldest first, each secret 32 bytes (AES-256).  The last wraps
        new data keys; the others still unwrap the data keys they wrapped.  ``[settings.privacy]
        key_provider`` names the one an office uses; the environment variable
        ``PETITIONKIT_MASTER_KEY`` overrides it.  Raise :class:`~petitionkit.errors.ConfigurationError`
        when the keys cannot be had: the office then does not open (fail closed).
    :return: nothing.
    """


@hookspec
def petitionkit_register_checkpoint_sinks(register: Callable[..., None]) -> None:
    """Register places signed audit checkpoints are written to, outside the database.

    :param register: call ``register(name, factory)``; ``factory(config)`` returns an object with
        ``write(checkpoint) -> str`` (see :class:`petitionkit.audit.CheckpointSink`) that stores the
        :class:`~petitionkit.audit.Checkpoint` without ever overwriting an earlier one and returns
        where it went.  ``[settings.audit] checkpoint_sink`` names the one an office uses
        (built in: ``folder``, ``webhook``).
    :return: nothing.
    """


@hookspec
def petitionkit_register_audit_verifiers(register: Callable[..., None]) -> None:
    """Register verifiers that ``petitionkit audit verify`` runs over an append-only record kind.

    :param register: call ``register(name, verifier)``; ``verifier(run)`` takes the
        :class:`~petitionkit.audit.AuditRun` (office, key ring, checkpoint) and returns a
        :class:`~petitionkit.audit.VerifierReport` naming, for each broken record, its first broken
        item.  It reads in batches and calls ``run.progress(name, records_done)`` after each.
        Built in: ``cases``.
    :return: nothing.
    """


# --- running: observers -----------------------------------------------------------------------


@hookspec
def petitionkit_event_recorded(event: Event, office: Office) -> None:
    """Observe an event after the transaction that recorded it has committed.

    Called once per event, in order.  An exception from an observer is logged and does not undo
    the committed change, nor stop the other observers (each is called on its own, see
    :func:`petitionkit.plugins.notify_observers`); anything that must not be lost belongs in the
    outbox instead.

    :param event: the stored, immutable event (name, actor, time, payload).
    :param office: the office that recorded it; use it to read the case if needed.
    :return: nothing.
    """


def collect(hook: Callable[..., Any]) -> dict[str, Any]:
    """Call a register-style hook and return ``{name: factory}``; a name registered twice is an error."""
    from petitionkit.errors import ConfigurationError  # noqa: PLC0415 - avoid import cycle at load

    found: dict[str, Any] = {}

    def register(name: str, factory: Any) -> None:
        if name in found and found[name] is not factory:
            raise ConfigurationError(name, "two plugins register the same name; disable one with 'plugins.block'")
        found[name] = factory

    hook(register=register)
    return found
