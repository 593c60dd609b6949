"""WSGI entry point (gunicorn countyedu.web.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "countyedu.web.settings")
application = get_wsgi_application()

# the web app's start: complete (or set aside) an approval a crash left half-recorded
from countyedu.web.recovery import reconcile_on_start  # noqa: E402

reconcile_on_start()
