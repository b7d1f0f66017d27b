"""Formal documents (文书) from Word templates an office can edit.

Typical use::

    from petitionkit.documents import make_document, check_templates

    make_document(office, "transfer-letter", "XS-2026-000123", "out/转送函.docx")
    [c for c in check_templates(office.config) if not c.ok]   # templates with wrong placeholders

Document types (see docs/reports.md for each one's placeholders): acceptance-notice 受理告知书,
non-acceptance-notice 不予受理告知书, transfer-letter 转送函, assignment-letter 交办函,
supervision-notice 督办函, extension-notice 延期告知书, handling-opinion 处理意见书.
"""

from petitionkit.documents.kinds import COMMON, IDENTITY, KINDS, Audience, DocumentKind
from petitionkit.documents.make import (
    DocumentNotApplicable,
    MadeDocument,
    TemplateCheck,
    TemplateError,
    check_template,
    check_templates,
    document_values,
    export_templates,
    kind_of,
    make_document,
    office_template_folder,
    placeholder_table,
    template_for,
)

__all__ = [
    "COMMON",
    "IDENTITY",
    "KINDS",
    "Audience",
    "DocumentKind",
    "DocumentNotApplicable",
    "MadeDocument",
    "TemplateCheck",
    "TemplateError",
    "check_template",
    "check_templates",
    "document_values",
    "export_templates",
    "kind_of",
    "make_document",
    "office_template_folder",
    "placeholder_table",
    "template_for",
]
