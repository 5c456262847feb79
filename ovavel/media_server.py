"""An alias: the module moved to ovavel.testing.media_server, the test and demo doubles' home. Kept so
that code importing the old name still runs; nothing in the toolkit imports it."""

from ovavel.testing.media_server import *  # noqa: F401,F403
