"""An office's own HTML report template renders sandboxed: an injection is refused at check and at render."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_dataset import Built  # type: ignore[import-not-found]

from petitionkit.errors import ConfigurationError
from petitionkit.reports import Period, html_template, period_report, write_report
from petitionkit.reports.model import PeriodReport


@pytest.fixture(scope="module")
def report(built_memory: Built) -> PeriodReport:
    return period_report(built_memory.office, Period.month(2026, 3))


def _injection(tmp_path: Path, marker: Path) -> Path:
    path = tmp_path / "report.html.j2"
    path.write_text(
        "<h1>{{ r.title }}</h1>{{ r.__class__.__init__.__globals__['os'].popen('touch " + str(marker) + "') }}",
        encoding="utf-8",
    )
    return path


def test_a_report_template_injection_is_refused_at_check(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(ConfigurationError) as refused:
        html_template.check(_injection(tmp_path, marker))
    assert "unsafe template" in refused.value.problem and not marker.exists()


def test_a_report_template_injection_is_refused_at_render(report: PeriodReport, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    target = tmp_path / "out.html"
    with pytest.raises(ConfigurationError):
        write_report(report, target, html_template=_injection(tmp_path, marker))
    assert not marker.exists() and not target.exists()


def test_an_office_report_template_is_autoescaped(report: PeriodReport, tmp_path: Path) -> None:
    path = tmp_path / "mine.html.j2"
    path.write_text("<title>{{ r.title }}</title><p>{{ r.summary }}</p>{{ '<b>' }}", encoding="utf-8")
    html = write_report(report, tmp_path / "out.html", html_template=path).read_text(encoding="utf-8")
    assert report.title in html and "&lt;b&gt;" in html and "<b>" not in html
