"""The S3-compatible attachment store against a real S3 server on loopback (moto's ThreadedMotoServer, an
HTTP server speaking the S3 API), on SQLite and PostgreSQL: objects are content-addressed ciphertext,
read back and verified; an object altered in the bucket is found."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from petitionkit.errors import AttachmentDamaged
from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition
from petitionkit.testing.files import png

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

BUCKET = "qx-attachments"
MASTER = {"m-test": bytes(range(32))}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # moto accepts any credentials
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for found in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=found["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def office(db_url: str, endpoint: str, bucket: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    monkeypatch.setenv(MASTER_KEY_ENV, ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in MASTER.items()))
    store = {"store": "s3", "s3_bucket": BUCKET, "s3_endpoint_url": endpoint, "s3_region": "us-east-1"}
    config = {
        **office_settings(),
        "database": {"url": db_url},
        "settings": {"attachments": {**store, "s3_prefix": "qx/"}},
    }
    office = open_test_office(config, clock=FakeClock())
    yield office
    office.close()


def test_a_photo_in_the_object_store_is_ciphertext_named_by_its_hash(office: Office, bucket: Any) -> None:
    ref = office.register(sample_petition()).case.id
    photo = png(6, 6)
    attachment = office.attach(ref, photo, filename="现场.png", kind="photo")
    (found,) = bucket.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert found["Key"] == "qx/" + attachment.blob_ref
    stored = bucket.get_object(Bucket=BUCKET, Key=found["Key"])["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == attachment.blob_ref and photo not in stored
    assert office.read_attachment(attachment.id)[1] == photo
    assert [c.problem for c in office.verify_attachments()] == [None]

    bucket.put_object(Bucket=BUCKET, Key=found["Key"], Body=stored[:-1] + b"\x00")  # altered in the bucket
    assert [c.problem for c in office.verify_attachments()] == ["missing"]
    with pytest.raises(AttachmentDamaged):
        office.read_attachment(attachment.id)
    bucket.delete_object(Bucket=BUCKET, Key=found["Key"])
    assert [c.problem for c in office.verify_attachments()] == ["missing"]


def test_a_key_rotation_reseals_the_objects_and_deletes_the_old_ones(office: Office, bucket: Any) -> None:
    """The blobs are re-sealed under the new data key in the bucket, the old objects deleted after the
    commit, and the old key destroyed; the digests in the audit trail still verify."""
    from petitionkit.service.attachments import delete_released_blobs
    from petitionkit.storage.sql import SqlStorage, blob_rotation, rotation

    ref = office.register(sample_petition()).case.id
    photos = [png(6, 6), png(7, 3)]
    attached = [office.attach(ref, photo, filename=f"现场{n}.png", kind="photo") for n, photo in enumerate(photos)]
    store = office.storage
    assert isinstance(store, SqlStorage)
    started = rotation.start(store, "XS")
    rotation.reencrypt(store, "XS")
    tally = blob_rotation.reseal_blobs(
        store, "XS", office.blob_store, released=lambda: delete_released_blobs(store, office.blob_store, "XS")
    )
    assert (tally.done, tally.damaged) == (2, [])
    with store.transaction() as tx:
        assert rotation.finish(tx, "XS") == (list(started.retiring), 0)

    keys = {found["Key"] for found in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    now = {office.read_attachment(a.id)[0].blob_ref for a in attached}
    assert keys == {"qx/" + r for r in now} and not now & {a.blob_ref for a in attached}
    for attachment, photo in zip(attached, photos, strict=True):
        read, data = office.read_attachment(attachment.id)
        assert data == photo and read.sealed_with == started.live and read.digest == attachment.digest
        stored = bucket.get_object(Bucket=BUCKET, Key="qx/" + read.blob_ref)["Body"].read()
        assert stored.startswith(f"pkb1:{started.live}:".encode()) and photo not in stored
    assert [c.problem for c in office.verify_attachments()] == [None, None]
    office.blob_store.delete(attached[0].blob_ref)  # deleting what is gone already is no error
