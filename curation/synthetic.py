"""An alias: the module moved to ovavel.testing.synthetic_media, the test and demo doubles' home. Kept so
that code importing the old name still runs; nothing in the toolkit imports it."""

from ovavel.testing.synthetic_media import *  # noqa: F401,F403
