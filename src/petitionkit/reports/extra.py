"""A clear error when the optional ``reports`` extra is not installed."""

from __future__ import annotations

from importlib.util import find_spec

from petitionkit.errors import ConfigurationError

# The import names of the packages of ``pip install 'petitionkit[reports]'``.
MODULES = ("plotly", "jinja2", "docx", "docxtpl", "rjieba", "sklearn", "scipy", "numpy", "matplotlib")


def require_reports_extra() -> None:
    """Raise :class:`ConfigurationError` naming what to install when a package of the extra is missing."""
    missing = [name for name in MODULES if find_spec(name) is None]
    if missing:
        raise ConfigurationError(
            "petitionkit[reports]",
            f"{', '.join(missing)} not installed; run: pip install 'petitionkit[reports]'",
        )
