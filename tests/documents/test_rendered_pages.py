"""Rendered pages: the Word report and two formal documents as LibreOffice prints them.

Each DOCX is converted to PDF by LibreOffice headless (a private profile in the test's tmp folder)
and to PNG pages by pdftoppm; both are kept under ``test-artefacts/documents/`` (git-ignored) for a
person to look at.  The test checks what a clerk would: every page is A4, the 文号 is printed, and
no label is left empty (``住址：。``).  Without LibreOffice or poppler the test is skipped, unless
``PETITIONKIT_REQUIRE_OFFICE_TOOLS=1`` (CI) turns that into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from petitionkit.documents import make_document
from petitionkit.reports.build import period_report
from petitionkit.reports.output import write_report
from petitionkit.reports.periods import Period
from petitionkit.testing import SHANGHAI, FakeClock, office_settings, open_test_office, sample_petition

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artefacts" / "documents"
A4 = (595.0, 842.0)  # points; LibreOffice writes 595.304 x 841.89
EMPTY_LABEL = re.compile(
    r"：\s*[。；;，]|(住址|联系电话|信访人|主要内容|编号|信访件编号|电子邮箱|身份证号码)：\s*$", re.M
)
TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdfinfo")


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    found = {name: shutil.which(name) for name in TOOLS}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        why = f"{', '.join(missing)} not installed (scripts/install-system-deps.sh)"
        if os.environ.get("PETITIONKIT_REQUIRE_OFFICE_TOOLS") == "1":
            pytest.fail(f"PETITIONKIT_REQUIRE_OFFICE_TOOLS=1 but {why}", pytrace=False)
        pytest.skip(why)
    return {name: str(path) for name, path in found.items()}


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{args[0]} failed: {done.stderr[-2000:]}"
    return done.stdout


def _page_sizes(tools: dict[str, str], pdf: Path) -> list[tuple[float, float]]:
    info = _run(tools["pdfinfo"], "-f", "1", "-l", "999", str(pdf))
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _flat(text: str) -> str:
    """pdftotext's text with the spaces it puts between Chinese and Latin letters taken out, lines kept."""
    return "\n".join(re.sub(r"[ \t\u3000]+", "", line) for line in text.splitlines())


def test_the_report_and_two_documents_print_on_a4_with_their_numbers(tools: dict[str, str], tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    settings = dict(office_settings(office_name="萧山区人大常委会信访室"))
    settings["settings"] = {
        "documents": {"header": "萧山区人民代表大会常务委员会信访室", "agency_code": "萧人信", "contact_phone": ""}
    }
    office = open_test_office(settings, clock=clock)
    refs = []
    for day in range(2, 20):
        clock.current = datetime(2026, 3, day, 9, 0, tzinfo=SHANGHAI)
        person = {"name": "王五"} if day % 3 else {"name": "张三", "phone": "13800138000", "address": "某街道1号"}
        received = f"2026-03-{day:02d}T08:30:00+08:00"
        refs.append(
            office.register(sample_petition(petitioners=[person], received_at=received)).petition.tracking_number
        )
    office.transfer(refs[0], body="GOV-HRSS")  # 王五: no phone, no address
    office.accept(refs[2])
    clock.current = datetime(2026, 4, 8, 9, 0, tzinfo=SHANGHAI)  # printed weeks after the acts

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    sources = {
        "period-report": write_report(period_report(office, Period.month(2026, 3)), tmp_path / "period-report.docx"),
        "transfer-letter": Path(
            make_document(office, "transfer-letter", refs[0], tmp_path / "transfer-letter.docx").path
        ),
        "acceptance-notice": Path(
            make_document(office, "acceptance-notice", refs[2], tmp_path / "acceptance-notice.docx").path
        ),
    }
    numbers = {d.kind: d.number for d in office.document_register()}
    office.close()
    assert numbers == {"transfer-letter": "萧人信转〔2026〕1号", "acceptance-notice": "萧人信受〔2026〕1号"}

    profile = (tmp_path / "lo-profile").as_uri()
    _run(
        tools["soffice"], f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
        "--outdir", str(ARTEFACTS), *map(str, sources.values()),
    )  # fmt: skip
    for name in sources:
        pdf = ARTEFACTS / f"{name}.pdf"
        assert pdf.is_file(), f"LibreOffice wrote no {pdf.name}"
        for old in ARTEFACTS.glob(f"{name}-*.png"):
            old.unlink()
        _run(tools["pdftoppm"], "-r", "72", "-png", str(pdf), str(ARTEFACTS / name))
        sizes = _page_sizes(tools, pdf)
        assert sizes and all(abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1 for w, h in sizes), (name, sizes)
        assert len(list(ARTEFACTS.glob(f"{name}-*.png"))) == len(sizes)
        text = _flat(_run(tools["pdftotext"], "-layout", str(pdf), "-"))
        assert not EMPTY_LABEL.search(text), (name, EMPTY_LABEL.search(text))
        if name in numbers:
            assert numbers[name] in text, (name, text[:400])
            assert "萧山区人民代表大会常务委员会信访室" in text and "（盖章）" in text
    transfer = _flat(_run(tools["pdftotext"], str(ARTEFACTS / "transfer-letter.pdf"), "-"))
    assert "2026年3月2日" in transfer and "2026年4月8日" not in transfer  # the act's date, not the printing day
    assert "住址" not in transfer
    report = _flat(_run(tools["pdftotext"], str(ARTEFACTS / "period-report.pdf"), "-"))
    assert "2026年3月信访工作情况报告" in report.replace("\n", "")
    with zipfile.ZipFile(sources["period-report"]) as docx:  # the charts are pictures in the document
        assert len([n for n in docx.namelist() if n.startswith("word/media/") and n.endswith(".png")]) >= 3
