"""Office-supplied templates (模板) are data, not code: Jinja's sandbox plus a check of what a template touches.

Every template an office can supply (notification overrides, Word documents, the HTML report) is
compiled by :func:`environment`, an :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` that also
applies a :class:`Policy` to the parsed template *before* it is compiled, whether it is being checked
(``check-templates``, ``Renderer.check()``) or rendered.  The policy refuses:

* names outside the documented placeholders (and Jinja's default globals: ``cycler``, ``joiner``,
  ``lipsum``, ``namespace``, ``range``, ``dict`` are removed from the environment);
* any name, attribute or constant subscript starting with ``_`` (``__class__``, ``__globals__`` …);
* attribute access on a placeholder the documentation lists as a plain value (only ``objects`` may
  be looked into);
* calls, except of a macro defined in the same template (and ``caller()`` inside it) or of a
  documented method (the report's ``due_label``, ``strftime``);
* filters outside a short list of formatting filters (no ``attr``, ``map``, ``selectattr`` …);
* ``include``, ``import``, ``extends`` (a template cannot reach another file).

The sandbox is the second line: if a construct got past the policy, attribute access to unsafe
members and calls of mutating methods still raise :class:`jinja2.sandbox.SecurityError` at render.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Filters a template may use: they format values and reach no attribute by name.
SAFE_FILTERS = frozenset(
    {
        "abs", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat",
        "first", "float", "format", "indent", "int", "join", "last", "length", "list", "lower", "max", "min",
        "replace", "reverse", "round", "safe", "slice", "sort", "string", "striptags", "sum", "title", "trim",
        "truncate", "unique", "upper", "urlencode", "wordcount", "wordwrap",
    }
)  # fmt: skip


class UnsafeTemplate(jinja2.TemplateSyntaxError):
    """A template reaches beyond its documented placeholders; ``problems`` lists each construct."""

    def __init__(self, problems: list[str], lineno: int, name: str | None, filename: str | None) -> None:
        message = "unsafe template: " + "; ".join(problems) + "; use only the documented placeholders"
        super().__init__(message, lineno, name, filename)
        self.problems = problems


@attrs.frozen
class Policy:
    """What a template may touch: ``names`` (None: any name), of which ``objects`` may be looked into
    and ``methods`` of them called."""

    names: frozenset[str] | None = None
    objects: frozenset[str] = frozenset()
    filters: frozenset[str] = SAFE_FILTERS
    methods: frozenset[str] = frozenset()  # documented methods of the objects that may be called

    def problems(self, tree: nodes.Template) -> list[tuple[int, str]]:
        """Every construct of ``tree`` the policy refuses, with its line."""
        found: list[tuple[int, str]] = []
        local = _locally_bound(tree)
        macros = {m.name for m in tree.find_all(nodes.Macro)}
        for node in _walk(tree):
            line = node.lineno
            if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
                found.append((line, f"'{type(node).__name__.lower()}' of another template"))
            elif isinstance(node, nodes.Name):
                if node.name.startswith("_"):
                    found.append((line, f"name '{node.name}'"))
                elif (
                    node.ctx == "load"
                    and self.names is not None
                    and node.name not in self.names
                    and node.name not in local
                ):
                    found.append((line, f"unknown name '{node.name}'"))
            elif isinstance(node, nodes.Getattr):
                if node.attr.startswith("_"):
                    found.append((line, f"attribute '{node.attr}'"))
                root = _root(node)
                if isinstance(root, nodes.Name) and root.name not in self.objects and root.name not in local:
                    found.append((line, f"attribute '{node.attr}' of '{root.name}'"))
            elif isinstance(node, nodes.Getitem):
                key = node.arg
                if isinstance(key, nodes.Const) and isinstance(key.value, str) and key.value.startswith("_"):
                    found.append((line, f"item '{key.value}'"))
            elif isinstance(node, nodes.Call):
                target = node.node
                macro = isinstance(target, nodes.Name) and (target.name in macros or target.name == "caller")
                method = isinstance(target, nodes.Getattr) and target.attr in self.methods
                if not (macro or method):
                    found.append((line, f"call of '{_describe(node.node)}'"))
            elif isinstance(node, nodes.Filter) and node.name not in self.filters:
                found.append((line, f"filter '{node.name}'"))
        return found


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


def _root(node: nodes.Node) -> nodes.Node:
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        node = node.node
    return node


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    return type(node).__name__.lower()


def _locally_bound(tree: nodes.Template) -> set[str]:
    """Names the template binds itself (loop targets, ``set``, macro arguments, ``loop``)."""
    bound = {"loop", "caller", "varargs", "kwargs"}
    for target in (
        *(n.target for n in tree.find_all(nodes.For)),
        *(n.target for n in tree.find_all(nodes.Assign)),
        *(n.target for n in tree.find_all(nodes.AssignBlock)),
    ):
        bound.update(n.name for n in target.find_all(nodes.Name))
        if isinstance(target, nodes.Name):
            bound.add(target.name)
    for macro in tree.find_all(nodes.Macro):
        bound.add(macro.name)
        bound.update(a.name for a in macro.args)
    return bound


class PolicedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, refusing at parse time every template its :class:`Policy` does not allow."""

    policy: Policy = Policy()

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        problems = self.policy.problems(tree)
        if problems:
            raise UnsafeTemplate([p for _, p in problems], problems[0][0], name, filename)
        return tree


def environment(
    policy: Policy,
    *,
    autoescape: bool,
    loader: jinja2.BaseLoader | None = None,
    **options: Any,
) -> PolicedEnvironment:
    """A sandboxed environment for office-supplied templates, with Jinja's default globals removed.

    ``autoescape`` is True wherever the output is markup (HTML, Word's XML).  Unknown variables are
    errors (:class:`jinja2.StrictUndefined`).
    """
    env = PolicedEnvironment(autoescape=autoescape, loader=loader, undefined=jinja2.StrictUndefined, **options)
    env.policy = policy
    env.globals.clear()
    return env
