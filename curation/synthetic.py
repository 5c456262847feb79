"""Moved to ovavel.testing.synthetic_media (the test and demo doubles' home); this name keeps old imports working."""

from ovavel.testing.synthetic_media import *  # noqa: F401,F403
