"""The old name of ovavel.app.demo (the app has its own folder, app/): the same module object, so
scripts that import or patch ovavel.demo keep working."""

import sys

from ovavel.app import demo as _demo

sys.modules[__name__] = _demo
