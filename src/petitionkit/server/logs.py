"""Logging of ``petitionkit serve``: plain text for a console, or one JSON object a line for a log shipper.

``[settings.server] log_format = "json"`` (or ``petitionkit serve --log-format json``) writes each record
as JSON (``time``, ``level``, ``logger``, ``message`` and any ``extra`` fields) through
``python-json-logger``, a maintained formatter for the standard :mod:`logging` module, so uvicorn's,
Litestar's and petitionkit's records come out alike.  What is logged holds no personal data: request
paths are not logged (uvicorn's access log stays off), problems are logged by kind and reference.
"""

from __future__ import annotations

from typing import Any

LOG_FORMATS = ("text", "json")

_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def log_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` document (uvicorn's ``log_config``) for ``log_format``."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {', '.join(LOG_FORMATS)}")
    formatter: dict[str, Any]
    if log_format == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        }
    else:
        formatter = {"format": _TEXT}
    handler = {"class": "logging.StreamHandler", "formatter": "petitionkit", "stream": "ext://sys.stderr"}
    quiet = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"petitionkit": formatter},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's own loggers carry handlers of their own by default: let them reach the root's one
        "loggers": {name: {**quiet, "level": level} for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
