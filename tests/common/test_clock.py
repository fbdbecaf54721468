"""The suite's frozen clock (ECOCHECK_TEST_DATE) reaches the application's one clock."""
import os
from datetime import date

import pytest

from app.common.timeutil import now_local, today_local

FROZEN = os.environ.get("ECOCHECK_TEST_DATE")


@pytest.mark.skipif(not FROZEN, reason="只在冻结时钟的运行中检查（make pytest-dates）")
def test_frozen_date_is_the_local_today():
    assert today_local() == date.fromisoformat(FROZEN)
    assert now_local().hour == 10


def test_a_period_of_years_ends_the_day_before_its_anniversary():
    from app.common.timeutil import last_day_of_years

    assert last_day_of_years(date(2026, 12, 2), 3) == date(2029, 12, 1)
    assert last_day_of_years(date(2027, 3, 1), 1) == date(2028, 2, 29)
    assert last_day_of_years(date(2028, 2, 29), 3) == date(2031, 2, 28)   # no 29 February in 2031
    assert last_day_of_years(date(2028, 2, 29), 4) == date(2032, 2, 28)
