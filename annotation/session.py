"""An alias: the module moved to ovavel.testing.person_session, the test and demo doubles' home. Kept so
that code importing the old name still runs; nothing in the toolkit imports it."""

from ovavel.testing.person_session import *  # noqa: F401,F403
