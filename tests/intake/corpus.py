"""A corpus of malformed and oddly written registration input (issue 16), one row per entry.

Each entry changes the base registration document (a letter with one named petitioner, received an
hour ago) and says what must happen: ``refused`` naming ``field`` (exit ``exit``, 2 unless said), or
accepted with the stored petition's values in ``stored`` (dotted paths into the stored petition).
docs/input.md is the specification; tests/intake/test_corpus.py runs every entry through the Python
API, ``petitionkit register --file`` and an import with good rows around it.
"""

from __future__ import annotations

from typing import Any

import attrs

DELETE = object()
HOUSING = "QX-HOUSING"  # a body of the sample county pack `petitionkit init` installs


@attrs.frozen
class Entry:
    id: str
    change: dict[str, Any]
    field: str | None = None  # refused: the field the error must name; None: accepted
    stored: dict[str, Any] = attrs.field(factory=dict)  # accepted: what the stored petition holds
    exit: int = 2

    @property
    def refused(self) -> bool:
        return self.field is not None


def refused(id: str, field: str, change: dict[str, Any], *, exit: int = 2) -> Entry:
    return Entry(id, change, field, exit=exit)


def accepted(id: str, change: dict[str, Any], **stored: Any) -> Entry:
    return Entry(id, change, None, {k.replace("__", "."): v for k, v in stored.items()})


P = "petitioners[0]"
LONG_CONTENT = "长" * 100_000

CORPUS: tuple[Entry, ...] = (
    # --- numbers out of range, or not numbers ---------------------------------------------------------
    refused("headcount-10^20", "headcount", {"headcount": 10**20}),
    refused("headcount-zero", "headcount", {"headcount": 0}),
    refused("headcount-negative", "headcount", {"headcount": -5}),
    refused("headcount-above-limit", "headcount", {"headcount": 100_001}),
    refused("headcount-string", "headcount", {"headcount": "3"}),
    refused("headcount-bool", "headcount", {"headcount": True}),
    refused("headcount-float", "headcount", {"headcount": 2.5}),
    refused("headcount-huge-negative", "headcount", {"headcount": -(10**30)}),
    # --- lone surrogates (text that was not UTF-8) ---------------------------------------------------
    refused("content-lone-surrogate", "content", {"content": "被拖欠工资\ud800三个月"}),
    refused("subject-surrogateescape", "subject", {"subject": "拖欠\udcff工资"}),
    refused("name-lone-surrogate", f"{P}.name", {f"{P}.name": "\udc80"}),
    refused("address-lone-surrogate", f"{P}.address", {f"{P}.address": "某街道\ud83d"}),
    refused("respondent-person-surrogate", "respondent.person_name", {"respondent": {"person_name": "\ud800"}}),
    # --- times out of range, without or with impossible offsets ------------------------------------
    refused("received-year-1", "received_at", {"received_at": "0001-01-01T00:00:00+08:00"}),
    refused("received-1949", "received_at", {"received_at": "1949-12-31T23:00:00+08:00"}),
    refused("received-year-9999", "received_at", {"received_at": "9999-12-31T23:59:59+14:00"}),
    refused("received-far-future", "received_at", {"received_at": "2999-01-01T00:00:00+08:00"}),
    refused("received-offset-plus-15", "received_at", {"received_at": "2025-01-05T09:00:00+15:00"}),
    refused("received-offset-minus-13", "received_at", {"received_at": "2025-01-05T09:00:00-13:00"}),
    refused("received-offset-seconds", "received_at", {"received_at": "2025-01-05T09:00:00+05:30:30"}),
    refused("received-offset-23h", "received_at", {"received_at": "2025-01-05T09:00:00+23:59"}),
    refused("received-naive", "received_at", {"received_at": "2025-01-05T09:00:00"}),
    refused("received-words", "received_at", {"received_at": "yesterday"}),
    refused("received-feb-30", "received_at", {"received_at": "2025-02-30T09:00:00+08:00"}),
    refused("received-empty", "received_at", {"received_at": ""}),
    refused("received-number", "received_at", {"received_at": 1_700_000_000}),
    refused("received-control", "received_at", {"received_at": "2025-01-05T09:00:00+08:00\x00"}),
    # --- control characters -----------------------------------------------------------------------
    refused("name-only-nul", f"{P}.name", {f"{P}.name": "\x00"}),
    refused("name-inner-nul", f"{P}.name", {f"{P}.name": "张\x00三"}),
    refused("name-ansi-escape", f"{P}.name", {f"{P}.name": "\x1b[31m张三"}),
    refused("name-del", f"{P}.name", {f"{P}.name": "张三\x7f"}),
    refused("name-c1-csi", f"{P}.name", {f"{P}.name": "张\x9b三"}),
    refused("subject-bell", "subject", {"subject": "拖欠工资\x07"}),
    refused("content-nul-in-long-text", "content", {"content": "正文" * 500 + "\x00" + "正文"}),
    refused("content-backspace", "content", {"content": "正文\x08"}),
    refused("category-nul", "category", {"category": "\x00"}),
    refused("id-number-nul", f"{P}.id_number", {f"{P}.id_number": "\x00"}),
    refused("phone-trailing-nul", f"{P}.phone", {f"{P}.phone": "+86 138 0013 8000\x00"}),
    refused("referred-from-nul", "referred_from", {"referred_from": "\x00"}),
    refused("attachment-uri-nul", "attachments[0].uri", {"attachments": [{"name": "信.pdf", "uri": "file:\x00"}]}),
    refused("respondent-body-nul", "respondent.body_code", {"respondent": {"body_code": "\x00"}}),
    refused("subject-noncharacter", "subject", {"subject": "事由\ufffe"}),
    refused("content-noncharacter", "content", {"content": "\ufdd0正文"}),
    # --- invisible-only and blank text ------------------------------------------------------------
    refused("subject-zero-width-spaces", "subject", {"subject": "\u200b\u200b\u200b"}),
    refused("subject-bom-only", "subject", {"subject": "\ufeff"}),
    refused("subject-joiners-only", "subject", {"subject": "\u200d\u200c"}),
    refused("subject-blank", "subject", {"subject": "   "}),
    refused("subject-ideographic-spaces", "subject", {"subject": "\u3000\u3000"}),
    refused("content-invisible-lines", "content", {"content": "\u200b \u200b\n\u200b"}),
    refused("name-zero-width", f"{P}.name", {f"{P}.name": "\u200b"}),
    refused("name-whitespace-only", f"{P}.name", {f"{P}.name": "\t\n"}),
    refused("address-zero-width", f"{P}.address", {f"{P}.address": "\u200b\u2060"}),
    refused("phone-zero-width", f"{P}.phone", {f"{P}.phone": "\u200b"}),
    refused("unit-name-word-joiner", "respondent.unit_name", {"respondent": {"unit_name": "\u2060"}}),
    refused("category-blank", "category", {"category": ""}),
    refused("content-blank", "content", {"content": "\n\n"}),
    refused("name-combining-mark-only", f"{P}.name", {f"{P}.name": "\u0301"}),
    # --- direction controls ("Trojan source") -------------------------------------------------------
    refused("subject-rtl-override", "subject", {"subject": "工资\u202e款欠"}),
    refused("content-isolate", "content", {"content": "\u2066正文\u2069"}),
    refused("name-rtl-override", f"{P}.name", {f"{P}.name": "\u202e三张"}),
    refused("unit-name-lro", "respondent.unit_name", {"respondent": {"unit_name": "\u202d某局"}}),
    refused("source-ref-rlo", "source_ref", {"source_ref": "\u202e1-L"}),
    # --- over-long ---------------------------------------------------------------------------------
    refused("subject-201", "subject", {"subject": "事" * 201}),
    refused("content-100001", "content", {"content": "长" * 100_001}),
    refused("name-101", f"{P}.name", {f"{P}.name": "张" * 101}),
    refused("address-501", f"{P}.address", {f"{P}.address": "路" * 501}),
    refused("email-too-long", f"{P}.email", {f"{P}.email": "a" * 250 + "@b.cn"}),
    refused("source-ref-201", "source_ref", {"source_ref": "x" * 201}),
    refused("category-long", "category", {"category": "c" * 65}),
    refused("unit-name-201", "respondent.unit_name", {"respondent": {"unit_name": "局" * 201}}),
    # --- phones --------------------------------------------------------------------------------------
    refused("phone-10-digits", f"{P}.phone", {f"{P}.phone": "1380013800"}),
    refused("phone-bad-mobile-prefix", f"{P}.phone", {f"{P}.phone": "12800138000"}),
    refused("phone-us-number", f"{P}.phone", {f"{P}.phone": "+1 415 555 0100"}),
    refused("phone-letters", f"{P}.phone", {f"{P}.phone": "abc"}),
    refused("phone-12-full-width", f"{P}.phone", {f"{P}.phone": "１３８００１３８０００１"}),
    refused("phone-arabic-indic", f"{P}.phone", {f"{P}.phone": "١٣٨٠٠١٣٨٠٠٠"}),
    refused("phone-local-without-area", f"{P}.phone", {f"{P}.phone": "88888888"}),
    refused("phone-0086-not-mobile", f"{P}.phone", {f"{P}.phone": "0086 11111111111"}),
    refused("phone-not-string", f"{P}.phone", {f"{P}.phone": 13800138000}),
    # --- resident ID numbers (GB 11643) -----------------------------------------------------------
    refused("id-wrong-check", f"{P}.id_number", {f"{P}.id_number": "110105194912310021"}),
    refused("id-17-digits", f"{P}.id_number", {f"{P}.id_number": "11010519491231002"}),
    refused("id-old-15-digits", f"{P}.id_number", {f"{P}.id_number": "110105491231002"}),
    refused("id-unknown-province", f"{P}.id_number", {f"{P}.id_number": "990105194912310020"}),
    refused("id-month-13", f"{P}.id_number", {f"{P}.id_number": "110105194913310020"}),
    refused("id-born-1800", f"{P}.id_number", {f"{P}.id_number": "110105180001010010"}),
    refused("id-superscripts", f"{P}.id_number", {f"{P}.id_number": "¹¹⁰¹⁰⁵¹⁹⁴⁹¹²³¹⁰⁰²X"}),
    refused("id-check-y", f"{P}.id_number", {f"{P}.id_number": "11010519491231002Y"}),
    # --- e-mail --------------------------------------------------------------------------------------
    refused("email-no-at", f"{P}.email", {f"{P}.email": "not-an-email"}),
    refused("email-no-dot", f"{P}.email", {f"{P}.email": "a@b"}),
    # --- codes: region, category, channel, kind, respondent body, role ----------------------------
    refused("region-superscripts", "region_code", {"region_code": "33¹⁹⁹⁹"}),
    refused("region-unknown-province", "region_code", {"region_code": "999999"}),
    refused("region-4-digits", "region_code", {"region_code": "3301"}),
    refused("region-letter", "region_code", {"region_code": "33010x"}),
    refused("region-arabic-indic", "region_code", {"region_code": "٣٣٠١٠٩"}),
    refused("region-empty", "region_code", {"region_code": ""}),
    refused("region-number", "region_code", {"region_code": 330109}),
    refused("category-unknown", "category", {"category": "nonexistent"}),
    refused("channel-unknown", "channel", {"channel": "pigeon"}),
    refused("channel-number", "channel", {"channel": 5}),
    refused("kind-unknown", "kind", {"kind": "complaint"}),
    refused("respondent-body-unknown", "respondent.body_code", {"respondent": {"body_code": "NO-SUCH-BODY"}}),
    refused("role-unknown", f"{P}.role", {f"{P}.role": "boss"}),
    # --- structure -----------------------------------------------------------------------------------
    refused("unknown-field", "foo", {"foo": "bar"}),
    refused("petitioners-not-list", "petitioners", {"petitioners": "张三"}),
    refused("petitioner-without-name", f"{P}.name", {f"{P}.name": DELETE}),
    refused("no-petitioner", "petitioners", {"petitioners": []}),
    refused("anonymous-visit", "anonymous", {"anonymous": True, "petitioners": [], "channel": "visit"}),
    refused("subject-not-string", "subject", {"subject": 123}),
    refused("content-null", "content", {"content": None}),
    refused("confidential-string", "confidential", {"confidential": "yes"}),
    refused("agent-without-mandate", f"{P}.mandate_ref", {f"{P}.role": "agent"}),
    refused("joins-nonexistent-case", "joins_case", {"joins_case": "QX-2026-999999"}, exit=4),
    # --- normalised, then accepted -------------------------------------------------------------------
    accepted("phone-plus86", {f"{P}.phone": "+86 138 0013 8000"}, petitioners__0__phone="13800138000"),
    accepted("phone-0086", {f"{P}.phone": "0086-13800138000"}, petitioners__0__phone="13800138000"),
    accepted("phone-full-width", {f"{P}.phone": "１３８００１３８０００"}, petitioners__0__phone="13800138000"),
    accepted("phone-mixed-width", {f"{P}.phone": "１３８ 0013 ８０００"}, petitioners__0__phone="13800138000"),
    accepted("phone-86-no-plus", {f"{P}.phone": "8613800138000"}, petitioners__0__phone="13800138000"),
    accepted("landline-brackets", {f"{P}.phone": "(0571) 8888 8888"}, petitioners__0__phone="0571-88888888"),
    accepted("landline-plus86", {f"{P}.phone": "+86 10 1234 5678"}, petitioners__0__phone="010-12345678"),
    accepted("landline-extension", {f"{P}.phone": "0571-88888888转123"}, petitioners__0__phone="0571-88888888-123"),
    accepted(
        "landline-full-width", {f"{P}.phone": "０５７１－８８８８８８８８"}, petitioners__0__phone="0571-88888888"
    ),
    accepted("service-number", {f"{P}.phone": "400 123 4567"}, petitioners__0__phone="4001234567"),
    accepted("id-lower-x", {f"{P}.id_number": "11010519491231002x"}, petitioners__0__id_number="11010519491231002X"),
    accepted(
        "id-full-width",
        {f"{P}.id_number": "１１０１０５１９４９１２３１００２ｘ"},
        petitioners__0__id_number="11010519491231002X",
    ),
    accepted(
        "id-mixed-width-spaced",
        {f"{P}.id_number": "110105 1949１２31 002x"},
        petitioners__0__id_number="11010519491231002X",
    ),
    accepted("name-trimmed-collapsed", {f"{P}.name": "  张   三 "}, petitioners__0__name="张 三"),
    accepted("name-zero-width-inside", {f"{P}.name": "张\u200b三"}, petitioners__0__name="张三"),
    accepted("name-nfd-to-nfc", {f"{P}.name": "Jose\u0301"}, petitioners__0__name="Jos\u00e9"),
    accepted("subject-tab-collapsed", {"subject": "  拖欠\t工资  "}, subject="拖欠 工资"),
    accepted("subject-ideographic-space", {"subject": "拖欠\u3000工资"}, subject="拖欠 工资"),
    accepted("subject-emoji-zwj", {"subject": "讨薪🙂👨\u200d👩\u200d👧"}, subject="讨薪🙂👨\u200d👩\u200d👧"),
    accepted("subject-arabic-rtl-letters", {"subject": "مرحبا 工资"}, subject="مرحبا 工资"),
    accepted("subject-formula", {"subject": '=HYPERLINK("http://evil.example","点我")'}),
    accepted("content-crlf", {"content": "第一行\r\n第二行\r\n"}, content="第一行\n第二行"),
    accepted("content-line-separator", {"content": "上行\u2028下行"}, content="上行\n下行"),
    accepted("content-bom-inside", {"content": "\ufeff正文"}, content="正文"),
    accepted("content-longest", {"content": LONG_CONTENT}, content=LONG_CONTENT),
    accepted("region-full-width", {"region_code": "３３０１０９"}, region_code="330109"),
    accepted("region-spaced", {"region_code": " 33 01 09 "}, region_code="330109"),
    accepted("category-upper", {"category": "LABOUR"}, category="labour"),
    accepted("category-full-width", {"category": "ｌａｂｏｕｒ"}, category="labour"),
    accepted("headcount-upper-limit", {"headcount": 100_000}, headcount=100_000),
    accepted("received-plus-14", {"received_at": "2025-06-01T23:30:00+14:00"}),
    accepted("received-plus-0545", {"received_at": "2025-06-01T09:00:00+05:45"}),
    accepted("received-minus-12", {"received_at": "2025-06-01T09:00:00-12:00"}),
    accepted("received-z", {"received_at": "2025-06-01T01:00:00Z"}),
    accepted("email-trimmed", {f"{P}.email": "  someone@example.cn "}, petitioners__0__email="someone@example.cn"),
    accepted("address-collapsed", {f"{P}.address": " 某街道\u3000 1号 "}, petitioners__0__address="某街道 1号"),
    accepted(
        "respondent-body-folded", {"respondent": {"body_code": "ｑｘ－ｈｏｕｓｉｎｇ"}}, respondent__body_code=HOUSING
    ),
    accepted("respondent-body-lower", {"respondent": {"body_code": " qx-housing "}}, respondent__body_code=HOUSING),
    accepted("name-formula", {f"{P}.name": "=1+1"}, petitioners__0__name="=1+1"),
    accepted("optional-phone-blank", {f"{P}.phone": "  "}, petitioners__0__phone=None),
)

REFUSED = tuple(e for e in CORPUS if e.refused)
ACCEPTED = tuple(e for e in CORPUS if not e.refused)


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        steps.append(name)
        if index:
            steps.append(int(index.rstrip("]")))
    return steps


def apply(document: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``document`` (a fresh copy) with ``change``'s dotted paths set (``DELETE`` removes the key)."""
    import copy

    doc = copy.deepcopy(document)
    for path, value in change.items():
        *parents, last = _steps(path)
        target: Any = doc
        for step in parents:
            target = target[step]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return doc


def stored_value(obj: Any, path: str) -> Any:
    for step in path.split("."):
        obj = obj[int(step)] if step.isdigit() else getattr(obj, step)
    return obj
