"""Audit settings (审计设置): ``[settings.audit]`` of petitionkit.toml.

Every key is optional::

    [settings.audit]
    key_file = "/etc/petitionkit/qx-audit.key"  # the audit key file (0600), relative to the config file
    key_provider = "vault"                      # or: a key provider a plugin registered
    require_key = true                          # refuse to record anything without a key (init sets it)
    checkpoint_sink = "folder"                  # "folder", "webhook", or a sink a plugin registered
    checkpoint_folder = "/srv/audit-checkpoints"  # append-only folder of the "folder" sink
    checkpoint_url = "https://archive.example.cn/checkpoints"  # the "webhook" sink posts here
    checkpoint_daily = true                     # `petitionkit remind` writes a checkpoint each run

The environment variable ``PETITIONKIT_AUDIT_KEY`` overrides ``key_file`` and ``key_provider``.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.settings import http_url, nonblank, read_settings

NAME = "audit"


@attrs.frozen
class AuditSettings:
    """``[settings.audit]`` (declared by ``petitionkit.default_plugins.core_settings``)."""

    key_file: str | None = attrs.field(default=None, validator=nonblank)
    key_provider: str | None = attrs.field(default=None, validator=nonblank)
    require_key: bool = False
    checkpoint_sink: str = attrs.field(default="folder", validator=nonblank)
    checkpoint_folder: str = attrs.field(default="checkpoints", validator=nonblank)
    checkpoint_url: str | None = attrs.field(default=None, validator=http_url)
    checkpoint_daily: bool = False


def audit_settings(config: OfficeConfig) -> AuditSettings:
    """The office's ``[settings.audit]`` (defaults fill what is missing)."""
    return read_settings(config, NAME, AuditSettings)


def office_path(config: OfficeConfig, value: str) -> Path:
    """``value`` as a path, relative to the configuration file's folder."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(config.base_dir) / path
