"""The built-in attachment stores, ``folder`` (the default) and ``s3``, and ``[settings.attachments]``."""

from __future__ import annotations

from collections.abc import Callable

from petitionkit.attachments.blobs import folder_store
from petitionkit.attachments.s3 import s3_store
from petitionkit.attachments.settings import NAME, AttachmentSettings
from petitionkit.hookspecs import hookimpl


@hookimpl
def petitionkit_declare_settings(register: Callable[..., None]) -> None:
    register(NAME, AttachmentSettings)


@hookimpl
def petitionkit_register_blob_stores(register: Callable[..., None]) -> None:
    register("folder", folder_store)
    register("s3", s3_store)
