"""The S3-compatible object store (对象存储) for attachments: ``[settings.attachments] store = "s3"``.

boto3 (AWS's maintained SDK; it speaks to any S3-compatible service: MinIO, Ceph RGW, the clouds'
object storage) is imported only when an office uses this store (the ``s3`` extra).  Objects are
named ``<s3_prefix><sha256 of the stored bytes>``; a read checks the bytes still hash to that name.
Credentials come from boto3's usual chain (environment, shared files, instance role), never from
petitionkit.toml.  The bytes are encrypted by the office before they reach the bucket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from petitionkit.attachments.blobs import BlobMissing, BlobStore, blob_name, check_ref
from petitionkit.errors import ConfigurationError, StorageError

if TYPE_CHECKING:
    from petitionkit.config import OfficeConfig


class S3BlobStore:
    """Blobs as objects of one bucket (``client``: a boto3 S3 client)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _key(self, ref: str) -> str:
        return self.prefix + check_ref(ref)

    def _failed(self, exc: Exception) -> StorageError:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        return StorageError(f"s3://{self.bucket}/{self.prefix}", f"object store error {code}")

    def put(self, data: bytes) -> str:
        ref = blob_name(data)
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(ref), Body=data)
        except Exception as exc:  # botocore's ClientError and connection errors alike
            raise self._failed(exc) from exc
        return ref

    def get(self, ref: str) -> bytes:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(ref))
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                raise BlobMissing(ref) from None
            raise self._failed(exc) from exc
        data: bytes = found["Body"].read()
        if blob_name(data) != ref:
            raise BlobMissing(ref)
        return data

    def exists(self, ref: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(ref))
        except BlobMissing:
            return False
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return False
            raise self._failed(exc) from exc
        return True

    def delete(self, ref: str) -> None:
        try:  # S3 answers 204 for a key that is not there: deleting twice is fine
            self.client.delete_object(Bucket=self.bucket, Key=self._key(ref))
        except Exception as exc:
            raise self._failed(exc) from exc


def s3_store(config: OfficeConfig) -> BlobStore:
    """``store = "s3"``: the bucket, endpoint and region of ``[settings.attachments]``."""
    from petitionkit.attachments.settings import attachment_settings  # noqa: PLC0415

    settings = attachment_settings(config)
    if settings.s3_bucket is None:
        raise ConfigurationError("settings.attachments.s3_bucket", "name the bucket of the S3 attachment store")
    try:
        import boto3  # type: ignore[import-untyped]  # noqa: PLC0415 - the s3 extra
    except ImportError:
        raise ConfigurationError(
            "settings.attachments.store", "the S3 store needs boto3: pip install 'petitionkit[s3]'"
        ) from None
    client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region)
    return S3BlobStore(client, settings.s3_bucket, settings.s3_prefix)
