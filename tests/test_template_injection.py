"""Office-supplied templates are data, not code: an injection is refused at check and at render, and nothing runs.

The payload reaches ``os.popen`` through Jinja's ``cycler`` global; the control test shows it does create
the marker file under a plain Jinja environment, so each refusal below is a real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import attrs
import jinja2
import pytest
from docxtpl import DocxTemplate  # type: ignore[import-untyped]

from petitionkit.config import OfficeConfig
from petitionkit.documents import TemplateError, check_templates, make_document
from petitionkit.documents import make as documents_make
from petitionkit.documents.defaults import TEMPLATES, build_template
from petitionkit.errors import ConfigurationError
from petitionkit.notifications.templates import Renderer
from petitionkit.sandbox import SAFE_FILTERS, Policy, UnsafeTemplate, environment
from petitionkit.service import open_office
from petitionkit.testing import SHANGHAI, FakeClock, office_settings, open_test_office, sample_petition


def payload(marker: Path) -> str:
    return "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "the injected command ran"


def test_control_the_payload_runs_in_a_plain_jinja_environment(tmp_path: Path) -> None:
    path = tmp_path / "ran"
    jinja2.Environment().from_string(payload(path)).render()
    assert path.exists()


@pytest.mark.parametrize(
    "source",
    [
        "{{ tracking_number.__class__ }}",
        "{{ tracking_number.upper() }}",
        "{{ tracking_number.title }}",
        "{{ tracking_number['__class__'] }}",
        "{{ tracking_number | attr('__class__') }}",
        "{% include 'other.txt' %}",
        "{{ lipsum }}",
        "{{ _secret }}",
    ],
)
def test_the_policy_refuses_what_reaches_beyond_the_placeholders(source: str) -> None:
    env = environment(Policy(names=frozenset({"tracking_number"})), autoescape=False)
    with pytest.raises(UnsafeTemplate):
        env.from_string(source)


def test_documented_placeholders_loops_and_macros_pass() -> None:
    env = environment(Policy(names=frozenset({"moves", "n"})), autoescape=False)
    source = "{% macro p(v) %}{{ v }}%{% endmacro %}{% for m in moves %}{{ m.a }} {{ p(n) | trim }}{% endfor %}"
    assert env.from_string(source).render(moves=[{"a": 1}], n=2) == "1 2%"


def test_the_sandbox_refuses_at_render_what_a_lenient_policy_lets_through() -> None:
    """Second line of defence: even if the policy allowed ``attr``, the sandbox refuses dunders."""
    lenient = Policy(names=None, objects=frozenset({"x"}), filters=SAFE_FILTERS | {"attr"})
    env = environment(lenient, autoescape=False)
    template = env.from_string("{{ (x | attr('__class__')) }}")
    with pytest.raises(jinja2.TemplateError):
        template.render(x="value")


# --- notification templates -----------------------------------------------------------------------


def _office_with_template(tmp_path: Path, text: str) -> OfficeConfig:
    folder = tmp_path / "templates" / "notifications" / "zh-CN"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accepted.txt").write_text(text, "utf-8")
    return attrs.evolve(OfficeConfig.from_mapping(office_settings()), base_dir=str(tmp_path))


def test_a_notification_injection_is_refused_when_the_office_opens(tmp_path: Path, marker: Path) -> None:
    config = _office_with_template(tmp_path, "受理 {{ tracking_number }}\n\n" + payload(marker) + "\n")
    with pytest.raises(ConfigurationError) as refused:
        open_office(config)
    assert "accepted.txt" in refused.value.setting and "unsafe template" in refused.value.problem


def test_a_notification_injection_added_later_is_refused_at_render(tmp_path: Path, marker: Path) -> None:
    folder = tmp_path / "zh-CN"
    folder.mkdir()
    renderer = Renderer(tmp_path)
    renderer.check()  # the folder was clean when the office opened
    (folder / "accepted.txt").write_text("受理\n\n" + payload(marker) + "\n", "utf-8")
    with pytest.raises(ConfigurationError) as refused:
        renderer.render("accepted", "zh-CN", {"tracking_number": "QX-1"})
    assert "unsafe template" in refused.value.problem


def test_every_packaged_notification_template_passes_the_policy() -> None:
    renderer = Renderer(None)
    for name in renderer.env.list_templates(extensions=["txt"]):
        renderer.env.get_template(name)


# --- Word documents --------------------------------------------------------------------------------


def _word_template(folder: Path, marker: Path) -> Path:
    paragraphs = [*TEMPLATES["acceptance-notice"], ("body", "附：" + payload(marker))]
    folder.mkdir(parents=True, exist_ok=True)
    return build_template(tuple(paragraphs), folder / "acceptance-notice.docx")


def test_a_word_injection_is_refused_by_check_templates_and_before_a_document(tmp_path: Path, marker: Path) -> None:
    _word_template(tmp_path / "templates", marker)
    settings = dict(office_settings())
    settings["settings"] = {"documents": {"templates": str(tmp_path / "templates")}}
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    office = open_test_office(settings, clock=clock)
    checks = {c.document: c for c in check_templates(office.config)}
    assert not checks["acceptance-notice"].ok and "unsafe template" in str(checks["acceptance-notice"].error)
    case = office.register(sample_petition()).case
    office.accept(case.id)
    target = tmp_path / "out.docx"
    with pytest.raises(TemplateError):
        make_document(office, "acceptance-notice", case.id, target)
    assert not target.exists()


def test_a_word_injection_is_refused_at_render_without_the_check(tmp_path: Path, marker: Path) -> None:
    template = DocxTemplate(str(_word_template(tmp_path, marker)))
    with pytest.raises(jinja2.TemplateError):
        template.render({}, jinja_env=documents_make._environment(), autoescape=True)


def test_word_values_are_escaped_as_xml(tmp_path: Path) -> None:
    path = build_template((("body", "{{ subject }}"),), tmp_path / "t.docx")
    template = DocxTemplate(str(path))
    template.render({"subject": "A & B <w:br/>"}, jinja_env=documents_make._environment(), autoescape=True)
    template.save(tmp_path / "out.docx")
    from docx import Document

    assert Document(str(tmp_path / "out.docx")).paragraphs[0].text == "A & B <w:br/>"
