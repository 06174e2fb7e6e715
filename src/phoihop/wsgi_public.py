"""WSGI entry point of the public deployment (gunicorn phoihop.wsgi_public)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phoihop.settings_public")
application = get_wsgi_application()
