"""Moved to ovavel.testing.media_server (the test and demo doubles' home); this name keeps old imports working."""

from ovavel.testing.media_server import *  # noqa: F401,F403
