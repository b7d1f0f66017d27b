"""Key commands: ``petitionkit keys status`` and ``petitionkit keys rotate`` (密钥管理, docs/security.md).

``rotate`` re-encrypts the office's personal data under a new data key in batches, and re-seals every
attachment's blob in the blob store (the old blobs deleted after each batch's commit), with progress on
standard error (so ``--json`` output stays one document), and is resumable: run it again after a
crash and it continues.  ``rotate --master`` re-wraps the data and index keys under the newest master
key of the ring, so older master keys can be removed from it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from petitionkit.audit.keys import add_key_to_file
from petitionkit.audit.settings import office_path
from petitionkit.cli.app import Env, run_command
from petitionkit.domain.access import Permission, Principal
from petitionkit.errors import ConfigurationError
from petitionkit.i18n import translate
from petitionkit.privacy import MASTER_KEY_ENV, privacy_settings
from petitionkit.privacy.keys import read_master_key_file

if TYPE_CHECKING:  # the SQL backend (and Alembic) is imported when a keys command runs, not for --help
    from petitionkit.service import Office
    from petitionkit.storage.sql import SqlStorage

ALGORITHMS = ("aes-256-gcm", "sm4-gcm")
MAX_PASSES = 5  # passes over rows a concurrent writer held, before leaving them to the next run


def _store(office: Office) -> SqlStorage:
    from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415

    store = office.storage
    if not isinstance(store, SqlStorage) or store.codec.cipher is None:
        raise ConfigurationError(
            "settings.privacy",
            "this office does not encrypt personal data at rest (no master key, or not a SQL database);"
            " see docs/security.md, 'Personal data at rest'",
        )
    return store


@click.group("keys")
def keys() -> None:
    """Field-encryption keys: which are in use, and rotating them (密钥管理)."""


@keys.command("status")
@click.pass_obj
@run_command
def status(env: Env) -> None:
    """Master key ids in use, and each office's data and index keys with the values under each data key."""
    from petitionkit.storage.sql import rotation  # noqa: PLC0415 - cryptography loads only when used

    office = env.office
    office.access.require(Permission.CONFIGURE)
    store = _store(office)
    found = rotation.status(store)
    in_use = sorted({k.master_key_id for k in found if k.destroyed_at is None})
    ring = list(store.master)
    wanted = privacy_settings(office.config).algorithm
    live = next(
        (
            k.algorithm
            for k in found
            if k.office_code == office.config.office_code and k.purpose == "data" and k.retired_at is None
        ),
        None,
    )
    data: dict[str, Any] = {
        "master_keys_in_use": in_use,
        "master_keys_configured": ring,
        "master_keys_removable": [m for m in ring if m not in in_use and m != ring[-1]],
        "algorithm_setting": wanted,
        "keys": [
            {
                "key_id": k.key_id,
                "office_code": k.office_code,
                "purpose": k.purpose,
                "algorithm": k.algorithm if k.purpose == "data" else "hmac-sha256",
                "master_key_id": k.master_key_id,
                "created_at": k.created_at.isoformat(timespec="seconds"),
                "retired_at": None if k.retired_at is None else k.retired_at.isoformat(timespec="seconds"),
                "destroyed_at": None if k.destroyed_at is None else k.destroyed_at.isoformat(timespec="seconds"),
                "state": _state(k.retired_at, k.destroyed_at),
                "values": k.values,
                "blobs": k.blobs,
            }
            for k in found
        ],
    }

    def human() -> None:
        say = env.locale
        click.echo(translate("keys.status.masters", say, in_use=", ".join(in_use), ring=", ".join(ring)))
        for k in data["keys"]:
            state = translate(f"keys.state.{k['state']}", say)
            values = translate("keys.status.values", say, values=k["values"]) if k["purpose"] == "data" else ""
            if k["blobs"]:
                values += translate("keys.status.blobs", say, blobs=k["blobs"])
            click.echo(
                f"{k['office_code']}  {k['purpose']:<5}  {k['key_id']}  {k['algorithm']:<11}  {k['master_key_id']}"
                f"  {state}  {values}".rstrip()
            )
        if live is not None and live != wanted:
            click.echo(translate("keys.status.algorithm_differs", say, live=live, wanted=wanted))
        if data["master_keys_removable"]:
            click.echo(translate("keys.status.removable", say, ids=", ".join(data["master_keys_removable"])))

    env.emit(data, human)


def _state(retired: object, destroyed: object) -> str:
    if destroyed is not None:
        return "destroyed"
    return "live" if retired is None else "retiring"


@keys.command("add-master")
@click.pass_obj
@run_command
def add_master(env: Env) -> None:
    """Append a new master key to the key file (newest last); then run 'keys rotate --master'."""
    key_file = privacy_settings(env.config).key_file
    if key_file is None or os.environ.get(MASTER_KEY_ENV):
        raise ConfigurationError(
            "settings.privacy.key_file",
            "add-master appends to the master key file; with PETITIONKIT_MASTER_KEY or a key provider,"
            " add the new key there (newest last)",
        )
    path = office_path(env.config, key_file)
    read_master_key_file(path)  # refuses a readable or broken file before anything is written
    key = add_key_to_file(path)
    env.emit(
        {"master_key_id": key.key_id}, lambda: click.echo(translate("keys.master.added", env.locale, key_id=key.key_id))
    )


@keys.command("rotate")
@click.option("--master", is_flag=True, help="Re-wrap every key under the newest master key instead.")
@click.option("--index", is_flag=True, help="Rotate the blind-index key instead (re-keys every identity).")
@click.option(
    "--algorithm",
    type=click.Choice(ALGORITHMS),
    default=None,
    help="Cipher of the new data key (default: [settings.privacy] algorithm).",
)
@click.option(
    "--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True, help="Rows per transaction."
)
@click.option(
    "--pause",
    type=click.FloatRange(0, 60),
    default=0.0,
    show_default=True,
    help="Seconds to wait between batches, leaving the database to the office's own work.",
)
@click.pass_obj
@run_command
def rotate(env: Env, master: bool, index: bool, algorithm: str | None, batch_size: int, pause: float) -> None:
    """Make a new data key, re-encrypt every value and attached file under it, then destroy the old key (resumable)."""
    from petitionkit.storage.sql import rotation  # noqa: PLC0415 - cryptography loads only when used

    if master and index:
        raise click.UsageError("--master and --index are separate rotations: run one, then the other")
    office = env.office
    principal = office.access.require(Permission.CONFIGURE)
    store = _store(office)
    say = env.locale
    if master:
        count, newest = rotation.rewrap(store)
        in_use = rotation.masters_in_use(store)
        removable = [m for m in store.master if m not in in_use]
        result = {"rewrapped": count, "master_key_id": newest, "master_keys_in_use": in_use, "removable": removable}

        def said_master() -> None:
            click.echo(translate("keys.master.rewrapped", say, count=count, master=newest))
            if removable:
                click.echo(translate("keys.status.removable", say, ids=", ".join(removable)))

        env.emit(result, said_master)
        return
    office_code = office.config.office_code
    if index:
        _rotate_index(env, office, principal, store, batch_size, pause)
        return
    started = rotation.start(store, office_code, algorithm or privacy_settings(office.config).algorithm)
    started_key = "keys.rotate.resumed" if started.resumed else "keys.rotate.started"
    click.echo(
        translate(started_key, say, old=", ".join(started.retiring), new=started.live, algorithm=started.algorithm),
        err=True,
    )
    blobs = _Blobs(office, store)
    blobs.delete_released()  # finishes an interrupted run: blobs re-sealed but not yet deleted
    done, skipped, destroyed, left = 0, 0, [], 0
    for _ in range(MAX_PASSES):
        with _progress(say) as progress:
            tally = rotation.reencrypt(
                store, office_code, batch_size=batch_size, progress=progress, pause=_sleep(pause)
            )
            sealed = blobs.reseal(batch_size, progress, _sleep(pause))
        done, skipped = done + tally.done + sealed.done, tally.skipped + sealed.skipped
        with store.transaction() as tx:
            gone, left = rotation.finish(tx, office_code)
            for key_id in gone:  # the destruction is recorded beside the personal data it re-encrypted
                office.access.record(
                    tx,
                    principal,
                    "key_rotation",
                    count=done,
                    query=f"data key {key_id} destroyed; values now under {started.live} ({started.algorithm})",
                    purpose="key rotation",
                )
        destroyed += gone
        if not left or not (tally.done or tally.skipped or sealed.done or sealed.skipped):
            break
    result = {
        "retired": list(started.retiring),
        "live": started.live,
        "algorithm": started.algorithm,
        "resumed": started.resumed,
        "reencrypted": done,
        "destroyed": destroyed,
        "left": left,
        "blobs_resealed": blobs.resealed,
        "blobs_deleted": blobs.deleted,
        "blobs_damaged": blobs.damaged,
    }

    def said() -> None:
        click.echo(translate("keys.rotate.done", say, count=done, new=started.live, algorithm=started.algorithm))
        if blobs.resealed or blobs.deleted:
            click.echo(translate("keys.rotate.blobs", say, count=blobs.resealed, deleted=blobs.deleted))
        for key_id in destroyed:
            click.echo(translate("keys.rotate.destroyed", say, key_id=key_id))
        if blobs.damaged:
            click.echo(translate("keys.rotate.blobs_damaged", say, count=len(blobs.damaged)))
        if left:
            click.echo(translate("keys.rotate.left", say, left=left, skipped=skipped))

    env.emit(result, said)


class _Blobs:
    """The attachment blobs of a data key rotation (``storage/sql/blob_rotation.py``); the office's blob
    store is opened only when there is a blob to re-seal or delete (an office without attachments may
    name a store it cannot reach from here)."""

    def __init__(self, office: Office, store: SqlStorage) -> None:
        self.office, self.store, self.code = office, store, office.config.office_code
        self.resealed, self.deleted = 0, 0
        self.damaged: list[str] = []

    def delete_released(self) -> None:
        from petitionkit.service.attachments import delete_released_blobs  # noqa: PLC0415

        with self.store.transaction() as tx:
            if not tx.released_blobs(self.code, 1):
                return
        self.deleted += delete_released_blobs(self.store, self.office.blob_store, self.code)

    def reseal(self, batch: int, progress: Any, pause: Callable[[], None] | None) -> Any:
        from petitionkit.storage.sql import blob_rotation, rotation  # noqa: PLC0415

        with self.store.transaction() as tx:
            retiring = list(rotation._retiring(tx.connection, self.code))
            if not blob_rotation.blobs_left(tx.connection, self.code, retiring):
                return blob_rotation.BlobTally()
        tally = blob_rotation.reseal_blobs(
            self.store,
            self.code,
            self.office.blob_store,
            batch_size=batch,
            progress=progress,
            pause=pause,
            released=self.delete_released,
        )
        self.resealed += tally.done
        self.damaged = sorted(set(self.damaged) | set(tally.damaged))
        return tally


def _rotate_index(env: Env, office: Office, principal: Principal, store: SqlStorage, batch: int, pause: float) -> None:
    from petitionkit.storage.sql import rotation  # noqa: PLC0415

    say, office_code = env.locale, office.config.office_code
    started = rotation.start(store, office_code, purpose="index")
    started_key = "keys.rotate.resumed" if started.resumed else "keys.rotate.started_index"
    click.echo(
        translate(started_key, say, old=", ".join(started.retiring), new=started.live, algorithm="hmac-sha256"),
        err=True,
    )
    with _progress(say) as progress:
        tally = rotation.rekey_identities(store, office_code, batch_size=batch, progress=progress, pause=_sleep(pause))
    with store.transaction() as tx:
        destroyed = rotation.finish_index(tx, office_code)
        for key_id in destroyed:
            office.access.record(
                tx,
                principal,
                "key_rotation",
                count=tally.done,
                query=f"index key {key_id} destroyed; identities now under {started.live}",
                purpose="key rotation",
            )
    result = {
        "retired": list(started.retiring),
        "live": started.live,
        "resumed": started.resumed,
        "rekeyed": tally.done,
        "unchanged": tally.skipped,
        "destroyed": destroyed,
    }

    def said() -> None:
        click.echo(translate("keys.rotate.done_index", say, count=tally.done, new=started.live))
        for key_id in destroyed:
            click.echo(translate("keys.rotate.destroyed", say, key_id=key_id))

    env.emit(result, said)


@contextmanager
def _progress(locale: str) -> Iterator[Callable[[str, int, int], None]]:
    """Re-encryption table by table on the progress bar (``petitionkit.cli.progress``)."""
    from petitionkit.cli.progress import reporting, step_callback  # noqa: PLC0415 - only when it runs

    with reporting(translate("progress.label.keys", locale), locale) as reporter:
        yield step_callback(reporter)


def _sleep(seconds: float) -> Callable[[], None] | None:
    return (lambda: time.sleep(seconds)) if seconds > 0 else None


COMMANDS: list[click.Command] = [keys]
