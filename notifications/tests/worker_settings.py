"""Settings for worker and scheduler subprocesses started by tests: the project's, without group quiet hours
(so a test run at night does not wait for 07:00)."""

from config.settings import *  # noqa: F403

NOTIFICATIONS_GROUP_QUIET_HOURS = None
