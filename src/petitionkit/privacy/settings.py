"""Privacy settings (个人信息保护设置): ``[settings.privacy]`` of petitionkit.toml.

Every key is optional::

    [settings.privacy]
    key_file = "/etc/petitionkit/qx-master.key"  # the master key file (0600), relative to the config file
    key_provider = "kms"                         # or: a master-key provider a plugin registered
    require_key = true                           # refuse to open without a master key (init sets it)
    algorithm = "aes-256-gcm"                    # or "sm4-gcm" (GB/T 32907): the cipher of new data keys

The environment variable ``PETITIONKIT_MASTER_KEY`` overrides ``key_file`` and ``key_provider``.
"""

from __future__ import annotations

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.settings import nonblank, one_of, read_settings

NAME = "privacy"
ALGORITHMS = ("aes-256-gcm", "sm4-gcm")  # crypto.ALGORITHMS (not imported: cryptography loads only when used)


@attrs.frozen
class PrivacySettings:
    """``[settings.privacy]`` (declared by ``petitionkit.default_plugins.core_settings``)."""

    key_file: str | None = attrs.field(default=None, validator=nonblank)
    key_provider: str | None = attrs.field(default=None, validator=nonblank)
    require_key: bool = False
    algorithm: str = attrs.field(default="aes-256-gcm", validator=one_of(*ALGORITHMS))


def privacy_settings(config: OfficeConfig) -> PrivacySettings:
    """The office's ``[settings.privacy]`` (defaults fill what is missing)."""
    return read_settings(config, NAME, PrivacySettings)
