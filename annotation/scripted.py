"""Moved to ovavel.testing.scripted_annotators (the test and demo doubles' home); this name keeps old imports working."""

from ovavel.testing.scripted_annotators import *  # noqa: F401,F403
