"""Sphinx configuration of the clerks' guide (信访工作人员使用手册): Chinese, separate from the developer docs.

Built by scripts/test.sh beside the developer docs:
``sphinx-build -W -b html docs/guide-zh docs/guide-zh/_build/html``.
"""

from __future__ import annotations

project = "petitionkit 信访工作人员使用手册"
author = "petitionkit developers"
copyright = "2026, petitionkit developers"  # noqa: A001 - Sphinx's name
language = "zh_CN"

extensions = ["myst_parser"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "信访工作人员使用手册"
html_search_language = "zh"
suppress_warnings = ["myst.header"]
