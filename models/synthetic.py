"""Moved to ovavel.testing.synthetic_features (the test and demo doubles' home); this name keeps old imports working."""

from ovavel.testing.synthetic_features import *  # noqa: F401,F403
