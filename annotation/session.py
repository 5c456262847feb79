"""Moved to ovavel.testing.person_session (the test and demo doubles' home); this name keeps old imports working."""

from ovavel.testing.person_session import *  # noqa: F401,F403
