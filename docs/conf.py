"""Sphinx configuration: Markdown pages (MyST), the CLI reference generated from the commands."""

from __future__ import annotations

project = "petitionkit"
author = "petitionkit developers"
copyright = "2026, petitionkit developers"  # noqa: A001 - Sphinx's name
language = "en"

extensions = ["myst_parser", "sphinx_click", "sphinxcontrib.mermaid"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "guide-zh"]  # the clerks' guide is its own project (zh_CN)
html_theme = "furo"
html_title = "petitionkit"
suppress_warnings = ["myst.header"]
nitpicky = False
