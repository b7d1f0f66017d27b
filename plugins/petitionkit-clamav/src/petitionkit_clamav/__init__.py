"""ClamAV for petitionkit (病毒扫描): every attachment goes to clamd before it is kept.

The plugin implements ``petitionkit_scan_attachment`` and speaks clamd's documented protocol over its
socket (``man clamd``, "INSTREAM"): ``zINSTREAM\\0``, the file in chunks each preceded by its length
(4 bytes, network order), a zero-length chunk to end; clamd answers ``stream: OK`` or
``stream: <signature> FOUND``.  The protocol is a dozen lines of the standard library; the Python
clients on the package index (``clamd``, ``pyclamd``) have not been released for years.

Settings, ``[settings.clamav]`` of petitionkit.toml::

    [settings.clamav]
    socket = "/run/clamav/clamd.ctl"   # clamd's LocalSocket (the Debian default); or:
    host = "127.0.0.1"                 # its TCPAddr and TCPSocket
    port = 3310
    timeout = 30                       # seconds for one scan

The plugin scans for an office whose configuration has a ``[settings.clamav]`` table (an empty one
uses the Debian socket); without one it has no opinion, and ``[settings.attachments] scanners_required =
true`` refuses every file.  A file clamd finds something in is refused, naming the signature.  When
clamd cannot be reached or answers an error (a file over its StreamMaxLength, say), the scan raises
and the file is refused too (fail closed): nothing unscanned is kept.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.domain.attachments import ScanVerdict
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.settings import at_least, nonblank, read_settings

NAME = "clamav"
SCANNER = "ClamAV"
DEFAULT_SOCKET = "/run/clamav/clamd.ctl"
CHUNK = 64 * 1024


@attrs.frozen
class ClamavSettings:
    """``[settings.clamav]``."""

    socket: str | None = attrs.field(default=None, validator=nonblank)
    host: str | None = attrs.field(default=None, validator=nonblank)
    port: int = attrs.field(default=3310, validator=at_least(1))
    timeout: float = attrs.field(default=30.0, validator=at_least(0.1))


class ClamdError(ConfigurationError):
    """clamd could not scan the file (unreachable, or it answered an error): the file is refused."""

    def __init__(self, problem: str) -> None:
        super().__init__("settings.clamav", f"clamd could not scan the file: {problem}")


def _connect(settings: ClamavSettings) -> socket.socket:
    try:
        if settings.host is not None:
            return socket.create_connection((settings.host, settings.port), timeout=settings.timeout)
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.settimeout(settings.timeout)
        unix.connect(settings.socket or DEFAULT_SOCKET)
        return unix
    except OSError as exc:
        raise ClamdError(f"cannot connect ({exc.strerror or type(exc).__name__})") from None


def _reply(connection: socket.socket) -> str:
    found = b""
    while not found.endswith(b"\0"):
        part = connection.recv(4096)
        if not part:
            break
        found += part
    return found.rstrip(b"\0").decode("utf-8", "replace").strip()


def command(settings: ClamavSettings, name: str) -> str:
    """A one-word clamd command (``PING``, ``VERSION``) and its answer."""
    with _connect(settings) as connection:
        connection.sendall(f"z{name}\0".encode("ascii"))
        return _reply(connection)


def scan_bytes(settings: ClamavSettings, data: bytes) -> str | None:
    """The signature clamd finds in ``data``, or ``None`` when it is clean; :class:`ClamdError` otherwise."""
    try:
        with _connect(settings) as connection:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            answer = _reply(connection)
    except OSError as exc:
        raise ClamdError(f"connection failed ({exc.strerror or type(exc).__name__})") from None
    result = answer.removeprefix("stream:").strip()
    if result == "OK":
        return None
    if result.endswith(" FOUND"):
        return result.removesuffix(" FOUND").strip()
    raise ClamdError(result[:200] or "no answer")


@hookimpl
def petitionkit_declare_settings(register: Callable[..., None]) -> None:
    register(NAME, ClamavSettings)


@hookimpl
def petitionkit_scan_attachment(data: bytes, media_type: str, config: OfficeConfig) -> ScanVerdict | None:
    if NAME not in config.settings:
        return None  # installed but not configured for this office: no opinion (scanners_required catches it)
    return ScanVerdict(SCANNER, scan_bytes(read_settings(config, NAME, ClamavSettings), data))
