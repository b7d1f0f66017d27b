"""Petition tallies: the period report's petition counts per office, UTC hour, dimension and key (issue 21).

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30

The period report counted the petitions of its windows a dozen times (six breakdowns, totals, repeat
petitions, the trend line, the trend signals' history): over 1,000,000 petitions a year's report read
about 500,000 index entries per pass.  ``petition_tallies`` holds those counts per UTC hour, kept by
triggers on ``petitions`` in the same transaction as every write (storage.sql.tallies); the upgrade
counts every petition already stored, the downgrade drops the triggers and the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from petitionkit.storage.sql.types import UtcDateTime

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("petitions", "people", "collective", "collective_people", "anonymous", "repeats")
FILLFACTOR = 50

# The SQL of storage.sql.tallies at this revision, spelled out (tests/reports/test_tallies.py checks that it
# is still what the module makes: a change there needs a revision that drops and re-creates the triggers).
BACKFILL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        ("DELETE FROM petition_tallies"),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'all', substr(p.received_at, 1, 13) || ':00"
            ":00.000000+00:00', '', count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0 END)"
            ", sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(p.anonymous), sum(CASE WHEN p.rep"
            "eat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) FROM petitions"
            " p JOIN cases c ON c.id = p.case_id GROUP BY p.office_code, substr(p.received_at, 1, 13) || ':00:00."
            "000000+00:00' ORDER BY p.office_code, substr(p.received_at, 1, 13) || ':00:00.000000+00:00'"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'channel', substr(p.received_at, 1, 13) || "
            "':00:00.000000+00:00', p.channel, count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN 1 "
            "ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(p.anonymous), sum(CASE"
            " WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) FRO"
            "M petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_code, substr(p.received_at, 1, 13) "
            "|| ':00:00.000000+00:00', p.channel ORDER BY p.office_code, substr(p.received_at, 1, 13) || ':00:00."
            "000000+00:00', p.channel"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'kind', substr(p.received_at, 1, 13) || ':0"
            "0:00.000000+00:00', p.kind, count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0"
            " END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(p.anonymous), sum(CASE WHEN "
            "p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) FROM peti"
            "tions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_code, substr(p.received_at, 1, 13) || ':0"
            "0:00.000000+00:00', p.kind ORDER BY p.office_code, substr(p.received_at, 1, 13) || ':00:00.000000+00"
            ":00', p.kind"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'category', substr(p.received_at, 1, 13) ||"
            " ':00:00.000000+00:00', p.category, count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN "
            "1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(p.anonymous), sum(CA"
            "SE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) F"
            "ROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_code, substr(p.received_at, 1, 13"
            ") || ':00:00.000000+00:00', p.category ORDER BY p.office_code, substr(p.received_at, 1, 13) || ':00:"
            "00.000000+00:00', p.category"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'region', substr(p.received_at, 1, 13) || '"
            ":00:00.000000+00:00', p.region_code, count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN"
            " 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(p.anonymous), sum(C"
            "ASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) "
            "FROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_code, substr(p.received_at, 1, 1"
            "3) || ':00:00.000000+00:00', p.region_code ORDER BY p.office_code, substr(p.received_at, 1, 13) || '"
            ":00:00.000000+00:00', p.region_code"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'respondent_body', substr(p.received_at, 1,"
            " 13) || ':00:00.000000+00:00', coalesce(p.respondent_body_code, ''), count(*), sum(p.headcount), sum"
            "(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE"
            " 0 END), sum(p.anonymous), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tra"
            "cking_number THEN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_"
            "code, substr(p.received_at, 1, 13) || ':00:00.000000+00:00', coalesce(p.respondent_body_code, '') OR"
            "DER BY p.office_code, substr(p.received_at, 1, 13) || ':00:00.000000+00:00', coalesce(p.respondent_b"
            "ody_code, '')"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'respondent', substr(p.received_at, 1, 13) "
            "|| ':00:00.000000+00:00', coalesce(p.respondent_body_code, nullif(json_extract(p.respondent, '$.unit"
            "_name'), ''), ''), count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0 END), su"
            "m(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(p.anonymous), sum(CASE WHEN p.repeat_"
            "of IS NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) FROM petitions p J"
            "OIN cases c ON c.id = p.case_id GROUP BY p.office_code, substr(p.received_at, 1, 13) || ':00:00.0000"
            "00+00:00', coalesce(p.respondent_body_code, nullif(json_extract(p.respondent, '$.unit_name'), ''), '"
            "') ORDER BY p.office_code, substr(p.received_at, 1, 13) || ':00:00.000000+00:00', coalesce(p.respond"
            "ent_body_code, nullif(json_extract(p.respondent, '$.unit_name'), ''), '')"
        ),
    ),
    "postgresql": (
        ("DELETE FROM petition_tallies"),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'all', date_trunc('hour', p.received_at AT "
            "TIME ZONE 'UTC') AT TIME ZONE 'UTC', '', count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 "
            "THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(CASE WHEN p.ano"
            "nymous THEN 1 ELSE 0 END), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tra"
            "cking_number THEN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_"
            "code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' ORDER BY p.office_code"
            ", date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'channel', date_trunc('hour', p.received_at"
            " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.channel, count(*), sum(p.headcount), sum(CASE WHEN p.head"
            "count >= 5 THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(CASE"
            " WHEN p.anonymous THEN 1 ELSE 0 END), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> "
            "c.first_tracking_number THEN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROUP B"
            "Y p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.channel "
            "ORDER BY p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.c"
            "hannel"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'kind', date_trunc('hour', p.received_at AT"
            " TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.kind, count(*), sum(p.headcount), sum(CASE WHEN p.headcount "
            ">= 5 THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(CASE WHEN "
            "p.anonymous THEN 1 ELSE 0 END), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.firs"
            "t_tracking_number THEN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.of"
            "fice_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.kind ORDER BY "
            "p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.kind"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'category', date_trunc('hour', p.received_a"
            "t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.category, count(*), sum(p.headcount), sum(CASE WHEN p.he"
            "adcount >= 5 THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(CA"
            "SE WHEN p.anonymous THEN 1 ELSE 0 END), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <"
            "> c.first_tracking_number THEN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROUP"
            " BY p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.catego"
            "ry ORDER BY p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "
            "p.category"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'region', date_trunc('hour', p.received_at "
            "AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.region_code, count(*), sum(p.headcount), sum(CASE WHEN p.h"
            "eadcount >= 5 THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(C"
            "ASE WHEN p.anonymous THEN 1 ELSE 0 END), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number "
            "<> c.first_tracking_number THEN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROU"
            "P BY p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p.regio"
            "n_code ORDER BY p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UT"
            "C', p.region_code"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'respondent_body', date_trunc('hour', p.rec"
            "eived_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(p.respondent_body_code, ''), count(*), sum"
            "(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0 END), sum(CASE WHEN p.headcount >= 5 THE"
            "N p.headcount ELSE 0 END), sum(CASE WHEN p.anonymous THEN 1 ELSE 0 END), sum(CASE WHEN p.repeat_of I"
            "S NOT NULL OR p.tracking_number <> c.first_tracking_number THEN 1 ELSE 0 END) FROM petitions p JOIN "
            "cases c ON c.id = p.case_id GROUP BY p.office_code, date_trunc('hour', p.received_at AT TIME ZONE 'U"
            "TC') AT TIME ZONE 'UTC', coalesce(p.respondent_body_code, '') ORDER BY p.office_code, date_trunc('ho"
            "ur', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(p.respondent_body_code, '')"
        ),
        (
            "INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people, collective, coll"
            "ective_people, anonymous, repeats) SELECT p.office_code, 'respondent', date_trunc('hour', p.received"
            "_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(p.respondent_body_code, nullif((p.respondent ->"
            "> 'unit_name'), ''), ''), count(*), sum(p.headcount), sum(CASE WHEN p.headcount >= 5 THEN 1 ELSE 0 E"
            "ND), sum(CASE WHEN p.headcount >= 5 THEN p.headcount ELSE 0 END), sum(CASE WHEN p.anonymous THEN 1 E"
            "LSE 0 END), sum(CASE WHEN p.repeat_of IS NOT NULL OR p.tracking_number <> c.first_tracking_number TH"
            "EN 1 ELSE 0 END) FROM petitions p JOIN cases c ON c.id = p.case_id GROUP BY p.office_code, date_trun"
            "c('hour', p.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(p.respondent_body_code, nul"
            "lif((p.respondent ->> 'unit_name'), ''), '') ORDER BY p.office_code, date_trunc('hour', p.received_a"
            "t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(p.respondent_body_code, nullif((p.respondent ->> "
            "'unit_name'), ''), '')"
        ),
    ),
}

TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": (
        (
            "CREATE TRIGGER petition_tallies_ai AFTER INSERT ON petitions BEGIN INSERT INTO petition_tallies (off"
            "ice_code, dimension, hour, key, petitions, people, collective, collective_people, anonymous, repeats"
            ") SELECT v.office_code, d.dimension, v.hour, d.key, v.petitions, v.people, v.collective, v.collectiv"
            "e_people, v.anonymous, v.repeats FROM (SELECT NEW.office_code AS office_code, substr(NEW.received_at"
            ", 1, 13) || ':00:00.000000+00:00' AS hour, 1 AS petitions, 1 * NEW.headcount AS people, CASE WHEN NE"
            "W.headcount >= 5 THEN 1 ELSE 0 END AS collective, CASE WHEN NEW.headcount >= 5 THEN 1 * NEW.headcoun"
            "t ELSE 0 END AS collective_people, 1 * NEW.anonymous AS anonymous, 1 * CASE WHEN NEW.repeat_of IS NO"
            "T NULL OR NEW.tracking_number <> (SELECT c.first_tracking_number FROM cases c WHERE c.id = NEW.case_"
            "id) THEN 1 ELSE 0 END AS repeats) AS v CROSS JOIN (SELECT 'all' AS dimension, '' AS key UNION ALL SE"
            "LECT 'channel' AS dimension, NEW.channel AS key UNION ALL SELECT 'kind' AS dimension, NEW.kind AS ke"
            "y UNION ALL SELECT 'category' AS dimension, NEW.category AS key UNION ALL SELECT 'region' AS dimensi"
            "on, NEW.region_code AS key UNION ALL SELECT 'respondent_body' AS dimension, coalesce(NEW.respondent_"
            "body_code, '') AS key UNION ALL SELECT 'respondent' AS dimension, coalesce(NEW.respondent_body_code,"
            " nullif(json_extract(NEW.respondent, '$.unit_name'), ''), '') AS key) AS d WHERE true ON CONFLICT (o"
            "ffice_code, dimension, hour, key) DO UPDATE SET petitions = petition_tallies.petitions + excluded.pe"
            "titions, people = petition_tallies.people + excluded.people, collective = petition_tallies.collectiv"
            "e + excluded.collective, collective_people = petition_tallies.collective_people + excluded.collectiv"
            "e_people, anonymous = petition_tallies.anonymous + excluded.anonymous, repeats = petition_tallies.re"
            "peats + excluded.repeats; END"
        ),
        (
            "CREATE TRIGGER petition_tallies_ad AFTER DELETE ON petitions BEGIN INSERT INTO petition_tallies (off"
            "ice_code, dimension, hour, key, petitions, people, collective, collective_people, anonymous, repeats"
            ") SELECT v.office_code, d.dimension, v.hour, d.key, v.petitions, v.people, v.collective, v.collectiv"
            "e_people, v.anonymous, v.repeats FROM (SELECT OLD.office_code AS office_code, substr(OLD.received_at"
            ", 1, 13) || ':00:00.000000+00:00' AS hour, -1 AS petitions, -1 * OLD.headcount AS people, CASE WHEN "
            "OLD.headcount >= 5 THEN -1 ELSE 0 END AS collective, CASE WHEN OLD.headcount >= 5 THEN -1 * OLD.head"
            "count ELSE 0 END AS collective_people, -1 * OLD.anonymous AS anonymous, -1 * CASE WHEN OLD.repeat_of"
            " IS NOT NULL OR OLD.tracking_number <> (SELECT c.first_tracking_number FROM cases c WHERE c.id = OLD"
            ".case_id) THEN 1 ELSE 0 END AS repeats) AS v CROSS JOIN (SELECT 'all' AS dimension, '' AS key UNION "
            "ALL SELECT 'channel' AS dimension, OLD.channel AS key UNION ALL SELECT 'kind' AS dimension, OLD.kind"
            " AS key UNION ALL SELECT 'category' AS dimension, OLD.category AS key UNION ALL SELECT 'region' AS d"
            "imension, OLD.region_code AS key UNION ALL SELECT 'respondent_body' AS dimension, coalesce(OLD.respo"
            "ndent_body_code, '') AS key UNION ALL SELECT 'respondent' AS dimension, coalesce(OLD.respondent_body"
            "_code, nullif(json_extract(OLD.respondent, '$.unit_name'), ''), '') AS key) AS d WHERE true ON CONFL"
            "ICT (office_code, dimension, hour, key) DO UPDATE SET petitions = petition_tallies.petitions + exclu"
            "ded.petitions, people = petition_tallies.people + excluded.people, collective = petition_tallies.col"
            "lective + excluded.collective, collective_people = petition_tallies.collective_people + excluded.col"
            "lective_people, anonymous = petition_tallies.anonymous + excluded.anonymous, repeats = petition_tall"
            "ies.repeats + excluded.repeats; END"
        ),
        (
            "CREATE TRIGGER petition_tallies_au AFTER UPDATE ON petitions WHEN OLD.office_code IS NOT NEW.office_"
            "code OR OLD.received_at IS NOT NEW.received_at OR OLD.channel IS NOT NEW.channel OR OLD.kind IS NOT "
            "NEW.kind OR OLD.category IS NOT NEW.category OR OLD.region_code IS NOT NEW.region_code OR OLD.headco"
            "unt IS NOT NEW.headcount OR OLD.anonymous IS NOT NEW.anonymous OR OLD.repeat_of IS NOT NEW.repeat_of"
            " OR OLD.tracking_number IS NOT NEW.tracking_number OR OLD.case_id IS NOT NEW.case_id OR OLD.responde"
            "nt_body_code IS NOT NEW.respondent_body_code OR coalesce(OLD.respondent_body_code, nullif(json_extra"
            "ct(OLD.respondent, '$.unit_name'), ''), '') IS NOT coalesce(NEW.respondent_body_code, nullif(json_ex"
            "tract(NEW.respondent, '$.unit_name'), ''), '') BEGIN INSERT INTO petition_tallies (office_code, dime"
            "nsion, hour, key, petitions, people, collective, collective_people, anonymous, repeats) SELECT v.off"
            "ice_code, d.dimension, v.hour, d.key, v.petitions, v.people, v.collective, v.collective_people, v.an"
            "onymous, v.repeats FROM (SELECT OLD.office_code AS office_code, substr(OLD.received_at, 1, 13) || ':"
            "00:00.000000+00:00' AS hour, -1 AS petitions, -1 * OLD.headcount AS people, CASE WHEN OLD.headcount "
            ">= 5 THEN -1 ELSE 0 END AS collective, CASE WHEN OLD.headcount >= 5 THEN -1 * OLD.headcount ELSE 0 E"
            "ND AS collective_people, -1 * OLD.anonymous AS anonymous, -1 * CASE WHEN OLD.repeat_of IS NOT NULL O"
            "R OLD.tracking_number <> (SELECT c.first_tracking_number FROM cases c WHERE c.id = OLD.case_id) THEN"
            " 1 ELSE 0 END AS repeats) AS v CROSS JOIN (SELECT 'all' AS dimension, '' AS key UNION ALL SELECT 'ch"
            "annel' AS dimension, OLD.channel AS key UNION ALL SELECT 'kind' AS dimension, OLD.kind AS key UNION "
            "ALL SELECT 'category' AS dimension, OLD.category AS key UNION ALL SELECT 'region' AS dimension, OLD."
            "region_code AS key UNION ALL SELECT 'respondent_body' AS dimension, coalesce(OLD.respondent_body_cod"
            "e, '') AS key UNION ALL SELECT 'respondent' AS dimension, coalesce(OLD.respondent_body_code, nullif("
            "json_extract(OLD.respondent, '$.unit_name'), ''), '') AS key) AS d WHERE true ON CONFLICT (office_co"
            "de, dimension, hour, key) DO UPDATE SET petitions = petition_tallies.petitions + excluded.petitions,"
            " people = petition_tallies.people + excluded.people, collective = petition_tallies.collective + excl"
            "uded.collective, collective_people = petition_tallies.collective_people + excluded.collective_people"
            ", anonymous = petition_tallies.anonymous + excluded.anonymous, repeats = petition_tallies.repeats + "
            "excluded.repeats; INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, people"
            ", collective, collective_people, anonymous, repeats) SELECT v.office_code, d.dimension, v.hour, d.ke"
            "y, v.petitions, v.people, v.collective, v.collective_people, v.anonymous, v.repeats FROM (SELECT NEW"
            ".office_code AS office_code, substr(NEW.received_at, 1, 13) || ':00:00.000000+00:00' AS hour, 1 AS p"
            "etitions, 1 * NEW.headcount AS people, CASE WHEN NEW.headcount >= 5 THEN 1 ELSE 0 END AS collective,"
            " CASE WHEN NEW.headcount >= 5 THEN 1 * NEW.headcount ELSE 0 END AS collective_people, 1 * NEW.anonym"
            "ous AS anonymous, 1 * CASE WHEN NEW.repeat_of IS NOT NULL OR NEW.tracking_number <> (SELECT c.first_"
            "tracking_number FROM cases c WHERE c.id = NEW.case_id) THEN 1 ELSE 0 END AS repeats) AS v CROSS JOIN"
            " (SELECT 'all' AS dimension, '' AS key UNION ALL SELECT 'channel' AS dimension, NEW.channel AS key U"
            "NION ALL SELECT 'kind' AS dimension, NEW.kind AS key UNION ALL SELECT 'category' AS dimension, NEW.c"
            "ategory AS key UNION ALL SELECT 'region' AS dimension, NEW.region_code AS key UNION ALL SELECT 'resp"
            "ondent_body' AS dimension, coalesce(NEW.respondent_body_code, '') AS key UNION ALL SELECT 'responden"
            "t' AS dimension, coalesce(NEW.respondent_body_code, nullif(json_extract(NEW.respondent, '$.unit_name"
            "'), ''), '') AS key) AS d WHERE true ON CONFLICT (office_code, dimension, hour, key) DO UPDATE SET p"
            "etitions = petition_tallies.petitions + excluded.petitions, people = petition_tallies.people + exclu"
            "ded.people, collective = petition_tallies.collective + excluded.collective, collective_people = peti"
            "tion_tallies.collective_people + excluded.collective_people, anonymous = petition_tallies.anonymous "
            "+ excluded.anonymous, repeats = petition_tallies.repeats + excluded.repeats; END"
        ),
    ),
    "postgresql": (
        (
            "CREATE FUNCTION petitionkit_petition_tallies() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_"
            "OP <> 'INSERT' THEN INSERT INTO petition_tallies (office_code, dimension, hour, key, petitions, peop"
            "le, collective, collective_people, anonymous, repeats) SELECT v.office_code, d.dimension, v.hour, d."
            "key, v.petitions, v.people, v.collective, v.collective_people, v.anonymous, v.repeats FROM (SELECT O"
            "LD.office_code AS office_code, date_trunc('hour', OLD.received_at AT TIME ZONE 'UTC') AT TIME ZONE '"
            "UTC' AS hour, -1 AS petitions, -1 * OLD.headcount AS people, CASE WHEN OLD.headcount >= 5 THEN -1 EL"
            "SE 0 END AS collective, CASE WHEN OLD.headcount >= 5 THEN -1 * OLD.headcount ELSE 0 END AS collectiv"
            "e_people, -1 * CASE WHEN OLD.anonymous THEN 1 ELSE 0 END AS anonymous, -1 * CASE WHEN OLD.repeat_of "
            "IS NOT NULL OR OLD.tracking_number <> (SELECT c.first_tracking_number FROM cases c WHERE c.id = OLD."
            "case_id) THEN 1 ELSE 0 END AS repeats) AS v CROSS JOIN (SELECT 'all' AS dimension, '' AS key UNION A"
            "LL SELECT 'channel' AS dimension, OLD.channel AS key UNION ALL SELECT 'kind' AS dimension, OLD.kind "
            "AS key UNION ALL SELECT 'category' AS dimension, OLD.category AS key UNION ALL SELECT 'region' AS di"
            "mension, OLD.region_code AS key UNION ALL SELECT 'respondent_body' AS dimension, coalesce(OLD.respon"
            "dent_body_code, '') AS key UNION ALL SELECT 'respondent' AS dimension, coalesce(OLD.respondent_body_"
            "code, nullif((OLD.respondent ->> 'unit_name'), ''), '') AS key) AS d WHERE true ON CONFLICT (office_"
            "code, dimension, hour, key) DO UPDATE SET petitions = petition_tallies.petitions + excluded.petition"
            "s, people = petition_tallies.people + excluded.people, collective = petition_tallies.collective + ex"
            "cluded.collective, collective_people = petition_tallies.collective_people + excluded.collective_peop"
            "le, anonymous = petition_tallies.anonymous + excluded.anonymous, repeats = petition_tallies.repeats "
            "+ excluded.repeats; END IF;\n  IF TG_OP <> 'DELETE' THEN INSERT INTO petition_tallies (office_code, d"
            "imension, hour, key, petitions, people, collective, collective_people, anonymous, repeats) SELECT v."
            "office_code, d.dimension, v.hour, d.key, v.petitions, v.people, v.collective, v.collective_people, v"
            ".anonymous, v.repeats FROM (SELECT NEW.office_code AS office_code, date_trunc('hour', NEW.received_a"
            "t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, 1 AS petitions, 1 * NEW.headcount AS people, CASE "
            "WHEN NEW.headcount >= 5 THEN 1 ELSE 0 END AS collective, CASE WHEN NEW.headcount >= 5 THEN 1 * NEW.h"
            "eadcount ELSE 0 END AS collective_people, 1 * CASE WHEN NEW.anonymous THEN 1 ELSE 0 END AS anonymous"
            ", 1 * CASE WHEN NEW.repeat_of IS NOT NULL OR NEW.tracking_number <> (SELECT c.first_tracking_number "
            "FROM cases c WHERE c.id = NEW.case_id) THEN 1 ELSE 0 END AS repeats) AS v CROSS JOIN (SELECT 'all' A"
            "S dimension, '' AS key UNION ALL SELECT 'channel' AS dimension, NEW.channel AS key UNION ALL SELECT "
            "'kind' AS dimension, NEW.kind AS key UNION ALL SELECT 'category' AS dimension, NEW.category AS key U"
            "NION ALL SELECT 'region' AS dimension, NEW.region_code AS key UNION ALL SELECT 'respondent_body' AS "
            "dimension, coalesce(NEW.respondent_body_code, '') AS key UNION ALL SELECT 'respondent' AS dimension,"
            " coalesce(NEW.respondent_body_code, nullif((NEW.respondent ->> 'unit_name'), ''), '') AS key) AS d W"
            "HERE true ON CONFLICT (office_code, dimension, hour, key) DO UPDATE SET petitions = petition_tallies"
            ".petitions + excluded.petitions, people = petition_tallies.people + excluded.people, collective = pe"
            "tition_tallies.collective + excluded.collective, collective_people = petition_tallies.collective_peo"
            "ple + excluded.collective_people, anonymous = petition_tallies.anonymous + excluded.anonymous, repea"
            "ts = petition_tallies.repeats + excluded.repeats; END IF;\n  RETURN NULL;\nEND $$"
        ),
        (
            "CREATE TRIGGER petition_tallies_ai AFTER INSERT ON petitions FOR EACH ROW EXECUTE FUNCTION petitionk"
            "it_petition_tallies()"
        ),
        (
            "CREATE TRIGGER petition_tallies_ad AFTER DELETE ON petitions FOR EACH ROW EXECUTE FUNCTION petitionk"
            "it_petition_tallies()"
        ),
        (
            "CREATE TRIGGER petition_tallies_au AFTER UPDATE ON petitions FOR EACH ROW WHEN (OLD.office_code IS D"
            "ISTINCT FROM NEW.office_code OR OLD.received_at IS DISTINCT FROM NEW.received_at OR OLD.channel IS D"
            "ISTINCT FROM NEW.channel OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.category IS DISTINCT FROM NEW."
            "category OR OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.headcount IS DISTINCT FROM NEW.h"
            "eadcount OR OLD.anonymous IS DISTINCT FROM NEW.anonymous OR OLD.repeat_of IS DISTINCT FROM NEW.repea"
            "t_of OR OLD.tracking_number IS DISTINCT FROM NEW.tracking_number OR OLD.case_id IS DISTINCT FROM NEW"
            ".case_id OR OLD.respondent_body_code IS DISTINCT FROM NEW.respondent_body_code OR coalesce(OLD.respo"
            "ndent_body_code, nullif((OLD.respondent ->> 'unit_name'), ''), '') IS DISTINCT FROM coalesce(NEW.res"
            "pondent_body_code, nullif((NEW.respondent ->> 'unit_name'), ''), '')) EXECUTE FUNCTION petitionkit_p"
            "etition_tallies()"
        ),
    ),
}

DROP_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": (
        ("DROP TRIGGER IF EXISTS petition_tallies_ai"),
        ("DROP TRIGGER IF EXISTS petition_tallies_ad"),
        ("DROP TRIGGER IF EXISTS petition_tallies_au"),
    ),
    "postgresql": (
        ("DROP TRIGGER IF EXISTS petition_tallies_ai ON petitions"),
        ("DROP TRIGGER IF EXISTS petition_tallies_ad ON petitions"),
        ("DROP TRIGGER IF EXISTS petition_tallies_au ON petitions"),
        ("DROP FUNCTION IF EXISTS petitionkit_petition_tallies()"),
    ),
}


def upgrade() -> None:
    op.create_table(
        "petition_tallies",
        sa.Column("office_code", sa.String(64), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("hour", UtcDateTime(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint("office_code", "dimension", "hour", "key", name=op.f("pk_petition_tallies")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE petition_tallies SET (fillfactor = {FILLFACTOR})")
    for statement in (*BACKFILL[dialect], *TRIGGERS[dialect]):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("petition_tallies")
