"""The import rules of docs/design.md, enforced: each layer imports only what is beneath it.

Imports inside ``if TYPE_CHECKING:`` are annotations only and are not counted; every other import,
at module level or inside a function, is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "petitionkit"

#: What each part of the package may import from petitionkit (besides itself); "*" is anything.
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),
    "lazy": set(),  # a package's public names imported on first use (PEP 562)
    "regions": set(),  # the national division list (package data) and its names
    "labels": {"i18n", "regions"},  # the words for codes: catalog labels, rule-pack names, region names
    "errors": {"i18n"},
    "domain": {"errors", "i18n"},
    "rules": {"domain", "errors", "i18n"},
    "serialization": {"domain", "errors"},
    "config": {"domain", "errors", "serialization"},
    "redaction": {"domain", "errors", "i18n"},
    "transport": set(),
    "settings": {"errors", "i18n", "hookspecs", "serialization", "config"},
    "storage": {"domain", "errors", "config", "serialization", "settings", "files"},
    "notify": {"domain", "errors", "config"},
    "hookspecs": {"domain", "errors", "config", "storage", "notify", "rules"},
    "audit": {"domain", "errors", "i18n", "config", "settings", "hookspecs", "storage", "lazy"},
    "privacy": {"domain", "errors", "i18n", "config", "settings", "hookspecs", "storage", "audit"},
    "plugins": {"errors", "hookspecs", "default_plugins"},
    "notifications": {
        "domain", "errors", "i18n", "config", "redaction", "storage", "notify", "hookspecs", "settings", "sandbox",
        "lazy",
    },
    "reports": {
        "domain", "errors", "i18n", "redaction", "serialization", "storage", "config", "plugins", "sandbox", "files",
        "csvsafe", "regions", "labels", "lazy"
    },
    "documents": {
        "domain", "errors", "i18n", "config", "redaction", "reports", "sandbox", "files", "regions", "labels",
    },
    "sandbox": set(),
    "files": set(),
    "csvsafe": set(),
    "exchange": {"domain", "errors", "redaction", "serialization", "csvsafe"},
    "migration": {"domain", "errors", "i18n", "serialization"},
    "network": {"domain", "errors", "config", "storage"},
    # attachments' blob stores and content checks (an application module, beside notifications)
    "attachments": {"domain", "errors", "i18n", "config", "settings", "hookspecs"},
    # search texts: segmentation and what is struck before a text is indexed
    "search": {"domain", "errors", "redaction", "storage"},
    "respondents": {"domain", "errors"},
    "service": {
        "domain", "errors", "i18n", "config", "serialization", "redaction", "rules", "storage", "notify",
        "hookspecs", "plugins", "notifications", "exchange", "network", "respondents", "documents", "reports",
        "settings", "audit", "privacy", "files", "migration", "attachments", "search",
    },
    "default_plugins": {
        "domain", "errors", "config", "hookspecs", "notify", "rules", "storage", "reports", "notifications",
        "settings", "audit", "privacy", "redaction", "attachments",
    },
    "quickstart": {"domain", "errors", "config", "service", "audit", "privacy"},
    "testing": {"domain", "errors", "config", "service", "storage", "rules", "notifications", "audit", "privacy"},
    # the HTTP API (the server extra): over the service like the command line; nothing imports it
    "server": {
        "domain", "errors", "i18n", "config", "serialization", "redaction", "rules", "storage", "service",
        "settings", "transport", "documents", "reports", "web", "attachments",
    },
    # the clerk's web workspace (the server extra): pages over the service, mounted in the server's application;
    # the server's application imports it to mount it (the only way in: nothing else imports it)
    "web": {
        "domain", "errors", "i18n", "config", "serialization", "redaction", "rules", "storage", "service",
        "settings", "transport", "server", "audit", "reports", "documents", "labels",
    },
    "cli": {"*"},
    "": {"*"},  # the package's own __init__: the public names
}  # fmt: skip

#: Third-party packages only some parts may use.
RESTRICTED = {
    "sqlalchemy": {"storage", "reports", "testing"},
    "alembic": {"storage"},
    "matplotlib": {"reports"},  # the Word report's chart images (reports/images.py)
    "click": {"cli"},
    "litestar": {"server", "web"},
    "argon2": {"web"},
    "pyotp": {"web"},
    "uvicorn": {"cli"},
    "joserfc": {"server"},
    "prometheus_client": {"server"},
    "pluggy": {"hookspecs", "plugins", "service", "notifications", "default_plugins", "cli"},
    "boto3": {"attachments"},  # the S3 attachment store
    "filetype": {"attachments"},  # a file's type told from its content
    "rjieba": {"reports", "search"},  # Chinese word segmentation
}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "petitionkit":  # from petitionkit import i18n
                yield from ((node.lineno, f"petitionkit.{a.name}") for a in node.names)
            else:
                yield node.lineno, node.module
        yield from _imports(node)


def _modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        yield path, module


def test_every_part_of_the_package_has_a_rule() -> None:
    parts = {_part(m) for _, m in _modules()}
    assert parts <= set(ALLOWED), f"add a rule for {sorted(parts - set(ALLOWED))} in tests/test_layers.py"


@pytest.mark.parametrize(("path", "module"), list(_modules()), ids=lambda v: str(v).rsplit("src/", 1)[-1])
def test_imports_follow_the_layers(path: Path, module: str) -> None:
    mine = _part(module)
    allowed = ALLOWED[mine]
    broken = []
    for line, target in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        top = target.split(".")[0]
        if top == "petitionkit":
            other = _part(target)
            if other != mine and "*" not in allowed and other not in allowed:
                broken.append(f"line {line}: {target}")
        elif top in RESTRICTED and mine not in RESTRICTED[top]:
            broken.append(f"line {line}: {target} (only {sorted(RESTRICTED[top])} may)")
    assert not broken, f"{module} imports across the layers of docs/design.md: {broken}"
