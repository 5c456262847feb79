"""Moved to ovavel.testing.browser_annotator (the test and demo doubles' home); this name keeps old imports working."""

from ovavel.testing.browser_annotator import *  # noqa: F401,F403
