"""``[settings.attachments]`` of petitionkit.toml; every key is optional::

[settings.attachments]
store = "folder"              # or "s3", or a blob store a plugin registered
folder = "attachments"        # the folder store's root, relative to the configuration file
max_bytes = 26214400          # 25 MiB: a larger file is refused
allowed_types = ["image/jpeg", "image/png", "application/pdf"]   # default: DEFAULT_MEDIA_TYPES
scanners_required = false     # true: refuse every file when no scanner plugin is installed

# the S3-compatible store (store = "s3"); credentials come from boto3's usual chain
# (environment, ~/.aws, instance role), never from this file
s3_bucket = "petitionkit-attachments"
s3_endpoint_url = "https://oss.example.gov.cn"
s3_region = "cn-north-1"
s3_prefix = "qx/"
"""

from __future__ import annotations

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.domain.attachments import DEFAULT_MEDIA_TYPES
from petitionkit.settings import at_least, nonblank, read_settings

NAME = "attachments"


def _types(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in values)


@attrs.frozen
class AttachmentSettings:
    """``[settings.attachments]`` (declared by ``petitionkit.default_plugins.blob_stores``)."""

    store: str = attrs.field(default="folder", validator=nonblank)
    folder: str = attrs.field(default="attachments", validator=nonblank)
    max_bytes: int = attrs.field(default=25 * 1024 * 1024, validator=at_least(1))
    allowed_types: tuple[str, ...] = attrs.field(default=DEFAULT_MEDIA_TYPES, converter=_types)
    scanners_required: bool = False
    s3_bucket: str | None = attrs.field(default=None, validator=nonblank)
    s3_endpoint_url: str | None = attrs.field(default=None, validator=nonblank)
    s3_region: str | None = attrs.field(default=None, validator=nonblank)
    s3_prefix: str = ""


def attachment_settings(config: OfficeConfig) -> AttachmentSettings:
    """The office's ``[settings.attachments]`` (defaults fill what is missing)."""
    return read_settings(config, NAME, AttachmentSettings)
