"""An alias: the module moved to ovavel.testing.browser_annotator, the test and demo doubles' home. Kept so
that code importing the old name still runs; nothing in the toolkit imports it."""

from ovavel.testing.browser_annotator import *  # noqa: F401,F403
