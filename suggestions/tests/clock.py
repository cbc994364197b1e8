"""Fixed clocks for the lifecycle tests, so that they pass at every hour of the real day.

`pinned_clock(moment)` makes an autouse fixture; a module assigns it to a name:

    _clock = pinned_clock(WORKING_DAY_MORNING)

It is autouse, so pytest enters it before the module's other function fixtures (the personas, the
session, the suggestions): everything a test creates is dated on the pinned day, and the time a
test travels to inside itself is a jump from there.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Tuesday 3 March 2026, 10:00 Beijing time: an ordinary working day, in session 2026.
WORKING_DAY_MORNING = dt.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)


def pinned_clock(moment: dt.datetime, *, tick: bool = False):
    @pytest.fixture(autouse=True)
    def _pinned_clock():
        with time_machine.travel(moment, tick=tick) as traveller:
            yield traveller

    return _pinned_clock


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    """The real Beijing date at a fixed time of day: for the browser tests, where cookies and the
    browser's own clock must agree with the server's date."""
    today = dt.datetime.now(SHANGHAI).date()
    return dt.datetime.combine(today, dt.time(hour, minute), tzinfo=SHANGHAI)
