"""Every feedback on a transfer survives the SQL store; rows from before revision 0012 read back their one text."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine, update

from petitionkit.domain.model import Feedback
from petitionkit.storage.sql import SqlStorage
from petitionkit.storage.sql.tables import referrals
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition


def test_feedback_history_round_trips_and_old_rows_read_back_their_one_feedback(db_url: str) -> None:
    clock = FakeClock()
    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        reg = office.register(sample_petition())
        office.transfer(reg.case.id, body="GOV-HRSS")
        clock.advance(days=2)
        office.record_feedback(reg.case.id, text="已约谈信访人", received_on=date(2026, 3, 3))
        clock.advance(days=5)
        written = office.record_feedback(reg.case.id, text="已解决")
    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        read = office.case(reg.case.id)
        assert read == written
        assert [(f.text, f.received_on) for f in read.referrals[0].feedbacks] == [
            ("已约谈信访人", date(2026, 3, 3)),
            ("已解决", date(2026, 3, 9)),
        ]
    engine = create_engine(db_url)
    with engine.begin() as connection:  # as a row written before revision 0012 looks
        connection.execute(update(referrals).values(feedbacks=None))
    engine.dispose()
    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        (referral,) = office.case(reg.case.id).referrals
        assert referral.feedbacks == (Feedback("已解决", None, referral.closed_at, ""),)  # type: ignore[arg-type]
