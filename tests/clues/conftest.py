"""Clue fixtures: the monitored outlet of tests/monitoring, for clues made from its alarms."""
from tests.monitoring.conftest import monitored  # noqa: F401
