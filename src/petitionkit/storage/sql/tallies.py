"""Petition tallies (revision 0023): the period report's petition counts, kept by the database itself.

``petition_tallies`` holds, per office, UTC hour, dimension and key, how many petitions were received and
their headcounts, collective and anonymous petitions and repeat petitions (the figures of
:meth:`~petitionkit.reports.source.ReportSource.petition_counts`, ``petition_totals`` and
``repeat_petitions``).  Triggers on ``petitions`` keep it in the same transaction as every write of a
petition, whatever wrote it: registration, import, history import, a respondent correction, retention's
rewrite, a purge, or a set-based ``INSERT ... SELECT`` (the benchmarks' multiplication).  An update
that changes a counted field takes the old row's counts off and adds the new row's.

A report whose windows start and end on whole UTC hours (every whole-day window of a zone whose offset
is whole hours, such as Asia/Shanghai) sums the tally rows of its hours instead of counting petitions:
the rows of a period grow with its hours and keys, not with its petitions.  Other windows fall back to
counting petitions (storage.sql / reports.sql_source).

Dimensions and their keys: ``all`` (key ``""``: the totals), ``channel``, ``kind``, ``category``,
``region`` (the region code), ``respondent_body`` (the body code, ``""`` when none) and ``respondent``
(the body code, else the unit's name as written, ``""`` when neither).  A repeat petition is one with
``repeat_of`` set or that is not its case's first petition (its tracking number is not the case's first),
as in the report's own query; a case's first tracking number is set when it opens and never changes, and a
case is stored before its petitions (their foreign key), so the trigger reads it when the petition is written.

:func:`rebuild_statements` recount every tally from the petitions: the migration's backfill, and
:func:`rebuild_tallies` (``petitionkit db rebuild-tallies``), a repair.  Revision 0023 holds a copy of
this module's SQL (a test compares them): a change here needs a new revision.
"""

from __future__ import annotations

from pathlib import Path

#: The tally dimensions and the key expression of each over a petitions row ``{r}`` (``{unit}``: the
#: respondent unit's name of that row, dialect-specific).
DIMENSIONS: dict[str, str] = {
    "all": "''",
    "channel": "{r}.channel",
    "kind": "{r}.kind",
    "category": "{r}.category",
    "region": "{r}.region_code",
    "respondent_body": "coalesce({r}.respondent_body_code, '')",
    "respondent": "coalesce({r}.respondent_body_code, nullif({unit}, ''), '')",
}

COUNTS = ("petitions", "people", "collective", "collective_people", "anonymous", "repeats")
_COLUMNS = "office_code, dimension, hour, key, " + ", ".join(COUNTS)
_COUNTED = ("office_code", "received_at", "channel", "kind", "category", "region_code", "headcount", "anonymous")


def _unit(dialect: str, r: str) -> str:
    if dialect == "sqlite":
        return f"json_extract({r}.respondent, '$.unit_name')"
    return f"({r}.respondent ->> 'unit_name')"


def _hour(dialect: str, r: str) -> str:
    """The UTC hour a row's ``received_at`` falls in, stored as ``UtcDateTime`` stores instants."""
    if dialect == "sqlite":  # fixed-width UTC text: 2026-03-01T02:03:04.123456+00:00
        return f"substr({r}.received_at, 1, 13) || ':00:00.000000+00:00'"
    return f"date_trunc('hour', {r}.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def _key(dialect: str, dimension: str, r: str) -> str:
    return DIMENSIONS[dimension].format(r=r, unit=_unit(dialect, r))


def _repeat(r: str) -> str:
    return (
        f"CASE WHEN {r}.repeat_of IS NOT NULL OR {r}.tracking_number <> "
        f"(SELECT c.first_tracking_number FROM cases c WHERE c.id = {r}.case_id) THEN 1 ELSE 0 END"
    )


def _anonymous(dialect: str, r: str) -> str:
    return f"CASE WHEN {r}.anonymous THEN 1 ELSE 0 END" if dialect == "postgresql" else f"{r}.anonymous"


def _add_row(dialect: str, r: str, sign: int) -> str:
    """Add (``sign`` 1) or take off (-1) one petitions row ``r`` (``NEW``/``OLD``) in every dimension."""
    dims = " UNION ALL ".join(f"SELECT '{name}' AS dimension, {_key(dialect, name, r)} AS key" for name in DIMENSIONS)
    values = (
        f"SELECT {r}.office_code AS office_code, {_hour(dialect, r)} AS hour, {sign} AS petitions, "
        f"{sign} * {r}.headcount AS people, "
        f"CASE WHEN {r}.headcount >= 5 THEN {sign} ELSE 0 END AS collective, "
        f"CASE WHEN {r}.headcount >= 5 THEN {sign} * {r}.headcount ELSE 0 END AS collective_people, "
        f"{sign} * {_anonymous(dialect, r)} AS anonymous, {sign} * {_repeat(r)} AS repeats"
    )
    update = ", ".join(f"{c} = petition_tallies.{c} + excluded.{c}" for c in COUNTS)
    return (
        f"INSERT INTO petition_tallies ({_COLUMNS}) "
        f"SELECT v.office_code, d.dimension, v.hour, d.key, v.petitions, v.people, v.collective, "
        f"v.collective_people, v.anonymous, v.repeats FROM ({values}) AS v CROSS JOIN ({dims}) AS d WHERE true "
        f"ON CONFLICT (office_code, dimension, hour, key) DO UPDATE SET {update}"
    )


def _changed(dialect: str) -> str:
    """The condition under which an update of a petition changes a tally."""
    op = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    # the respondent_body key is the body code alone; the respondent key falls back to the unit's name, so a
    # body code set to the name already written changes the first and not the second: both are compared
    own = (*_COUNTED, "repeat_of", "tracking_number", "case_id", "respondent_body_code")
    fields = [f"OLD.{c} {op} NEW.{c}" for c in own]
    fields.append(f"{_key(dialect, 'respondent', 'OLD')} {op} {_key(dialect, 'respondent', 'NEW')}")
    return " OR ".join(fields)


#: PostgreSQL: room on each page for the updated versions of its tally rows, so an update stays on its page
#: (a HOT update: no new index entry) and the rows of neighbouring hours stay together for the report's reads.
FILLFACTOR = 50


def create_statements(dialect: str) -> list[str]:
    """The triggers that keep ``petition_tallies`` (the table itself is made by the migration)."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER petition_tallies_ai AFTER INSERT ON petitions BEGIN {_add_row(dialect, 'NEW', 1)}; END",
            f"CREATE TRIGGER petition_tallies_ad AFTER DELETE ON petitions BEGIN {_add_row(dialect, 'OLD', -1)}; END",
            f"CREATE TRIGGER petition_tallies_au AFTER UPDATE ON petitions WHEN {_changed(dialect)} BEGIN "
            f"{_add_row(dialect, 'OLD', -1)}; {_add_row(dialect, 'NEW', 1)}; END",
        ]
    return [
        "CREATE FUNCTION petitionkit_petition_tallies() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        f"  IF TG_OP <> 'INSERT' THEN {_add_row(dialect, 'OLD', -1)}; END IF;\n"
        f"  IF TG_OP <> 'DELETE' THEN {_add_row(dialect, 'NEW', 1)}; END IF;\n"
        "  RETURN NULL;\n"
        "END $$",
        "CREATE TRIGGER petition_tallies_ai AFTER INSERT ON petitions FOR EACH ROW "
        "EXECUTE FUNCTION petitionkit_petition_tallies()",
        "CREATE TRIGGER petition_tallies_ad AFTER DELETE ON petitions FOR EACH ROW "
        "EXECUTE FUNCTION petitionkit_petition_tallies()",
        f"CREATE TRIGGER petition_tallies_au AFTER UPDATE ON petitions FOR EACH ROW WHEN ({_changed(dialect)}) "
        "EXECUTE FUNCTION petitionkit_petition_tallies()",
    ]


def drop_statements(dialect: str) -> list[str]:
    names = ("petition_tallies_ai", "petition_tallies_ad", "petition_tallies_au")
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    return [
        *(f"DROP TRIGGER IF EXISTS {name} ON petitions" for name in names),
        "DROP FUNCTION IF EXISTS petitionkit_petition_tallies()",
    ]


def rebuild_statements(dialect: str) -> list[str]:
    """Empty ``petition_tallies`` and count every petition again, one ``GROUP BY`` per dimension (in key order,
    so each dimension's rows are written together, hour after hour)."""
    statements = ["DELETE FROM petition_tallies"]
    for name in DIMENSIONS:
        key = _key(dialect, name, "p")
        hour = _hour(dialect, "p")
        groups = ", ".join(("p.office_code", hour, *([key] if name != "all" else [])))  # PostgreSQL: no constants
        statements.append(
            f"INSERT INTO petition_tallies ({_COLUMNS}) "
            f"SELECT p.office_code, '{name}', {hour}, {key}, count(*), sum(p.headcount), "
            "sum(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), "
            f"sum({_anonymous(dialect, 'p')}), "
            "sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) "
            f"FROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY {groups} ORDER BY {groups}"
        )
    return statements


def rebuild_tallies(url: str, *, base_dir: str | Path = ".") -> int:
    """Count every petition of the database at ``url`` into ``petition_tallies`` again; return the tally rows.

    A repair (the triggers keep the tallies; a rebuild is for a table someone changed by hand, or triggers
    someone dropped).  Writers wait meanwhile: SQLite's write lock, PostgreSQL's ``SHARE`` lock on petitions.
    The database must be at this petitionkit's schema (:class:`~petitionkit.errors.StorageError` otherwise).
    """
    from sqlalchemy import text  # noqa: PLC0415

    from petitionkit.storage.sql.store import SqlStorage  # noqa: PLC0415 - the store imports the tables

    storage = SqlStorage(url, base_dir=base_dir)
    try:
        dialect = storage.engine.dialect.name
        with storage.engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE
            if dialect == "postgresql":
                connection.execute(text("LOCK TABLE petitions IN SHARE MODE"))
            for statement in rebuild_statements(dialect):
                connection.execute(text(statement))
            return int(connection.execute(text("SELECT count(*) FROM petition_tallies")).scalar_one())
    finally:
        storage.close()
