"""The built-in audit backends, registered through the public hooks: the ``cases``,
``access_records`` and ``casework`` verifiers and the ``folder`` and ``webhook`` checkpoint sinks."""

from __future__ import annotations

from collections.abc import Callable

from petitionkit.hookspecs import hookimpl


@hookimpl
def petitionkit_register_audit_verifiers(register: Callable[..., None]) -> None:
    from petitionkit.audit.verify import verify_access_records, verify_cases, verify_casework  # noqa: PLC0415

    register("cases", verify_cases)
    register("access_records", verify_access_records)
    register("casework", verify_casework)


@hookimpl
def petitionkit_register_checkpoint_sinks(register: Callable[..., None]) -> None:
    from petitionkit.audit.checkpoints import folder_sink, webhook_sink  # noqa: PLC0415 - CLI start-up

    register("folder", folder_sink)
    register("webhook", webhook_sink)
