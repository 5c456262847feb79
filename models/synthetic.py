"""An alias: the module moved to ovavel.testing.synthetic_features, the test and demo doubles' home. Kept so
that code importing the old name still runs; nothing in the toolkit imports it."""

from ovavel.testing.synthetic_features import *  # noqa: F401,F403
