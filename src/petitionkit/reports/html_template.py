"""The HTML report's template: the packaged one, or an office's own, always in Jinja's sandbox.

An office may restyle the report (``petitionkit report --html-template FILE``,
``write_report(..., html_template=FILE)``).  Its template renders with autoescaping in
:mod:`petitionkit.sandbox` and may use only the documented values: ``r`` (the report), the word
tables ``t``, ``s``, ``f``, ``dims``, and ``charts``, ``plotly_js``, ``font``, and call only
``due_label(locale)`` and ``strftime(format)``.  Anything else (another call, a ``_`` attribute,
``include``) is refused before the template runs.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import jinja2

from petitionkit.errors import ConfigurationError
from petitionkit.sandbox import Policy, environment

#: The values the report template receives; the first five may be looked into.
PLACEHOLDERS = frozenset({"r", "t", "s", "f", "dims", "charts", "plotly_js", "font"})
POLICY = Policy(
    names=PLACEHOLDERS, objects=frozenset({"r", "t", "s", "f", "dims"}), methods=frozenset({"due_label", "strftime"})
)


def load(path: str | os.PathLike[str] | None = None) -> jinja2.Template:
    """The report template at ``path`` (default: the packaged one), checked and compiled in the sandbox.

    Raises :class:`~petitionkit.errors.ConfigurationError` naming the file and line when the template
    does not parse or reaches beyond its values.
    """
    if path is None:
        name = "report.html.j2"
        source = resources.files("petitionkit.reports").joinpath("templates", name).read_text(encoding="utf-8")
    else:
        name = str(path)
        try:
            source = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"html template {name}", f"cannot be read ({exc.strerror})") from None
    env = environment(POLICY, autoescape=True, trim_blocks=False)
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigurationError(
            f"html template {name}", f"line {exc.lineno}: {exc.message}; use only {', '.join(sorted(PLACEHOLDERS))}"
        ) from None


def check(path: str | os.PathLike[str]) -> None:
    """Check an office's report template without rendering it (raises like :func:`load`)."""
    load(path)
