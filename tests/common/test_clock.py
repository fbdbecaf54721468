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
