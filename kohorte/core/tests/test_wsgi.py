"""The WSGI entry point loads the views when a worker starts, not in its first request."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import sys
before = 'kohorte.courses.views.certificates' in sys.modules
import kohorte.wsgi
from django.urls import get_resolver
print(before, 'kohorte.courses.views.certificates' in sys.modules,
      'url_patterns' in vars(get_resolver()))
"""


def test_importing_the_wsgi_application_loads_the_url_configuration_and_its_views():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,  # noqa: S603
                            text=True, timeout=120, check=True)
    assert result.stdout.split() == ["False", "True", "True"], result.stderr
