import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohorte.settings")
application = get_wsgi_application()

# Load the URL configuration, and with it every view and what the views import (the
# PDF and statistics libraries among them), while the worker starts rather than in its
# first request: on two cores that first request took 2-3 s of CPU, paid by whoever
# came first after each start of a worker.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
