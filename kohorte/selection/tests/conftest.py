"""Hypothesis profiles for the selection engine tests.

HYPOTHESIS_PROFILE=ci keeps CI fast; the default "dev" profile runs more
examples.  A profile name registered elsewhere (not here) is left alone.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_profile = os.environ.get("HYPOTHESIS_PROFILE", "dev")
if _profile in ("ci", "dev"):
    settings.load_profile(_profile)
