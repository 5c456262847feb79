"""The old name of ovavel.app.cli (the app has its own folder, app/): the same module object, so
scripts that import or patch ovavel.cli keep working."""

import sys

from ovavel.app import cli as _cli

sys.modules[__name__] = _cli
