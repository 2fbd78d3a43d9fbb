"""The demo call's review set-up loads once, however often it is loaded."""

from decimal import Decimal

import pytest

from kohorte.demo.reviews import load_reviews
from kohorte.selection.models import ReviewCriterion, SelectionPolicy

pytestmark = pytest.mark.django_db


def test_the_demo_criteria_and_policy_are_loaded_once(personas):
    call = personas.call
    assert load_reviews(call) == {"criteria_added": 3, "policy_created": True}
    assert load_reviews(call) == {"criteria_added": 0, "policy_created": False}
    assert list(ReviewCriterion.objects.filter(call=call).values_list("name", "weight")) == [
        ("Praxisbezug", Decimal("2.00")), ("Motivation", Decimal("1.00")),
        ("Transferpotenzial", Decimal("1.00"))]
    policy = SelectionPolicy.objects.get(call=call)
    assert policy.version == 1 and policy.max_per_organisation == 2
    assert policy.region_bounds == {"Darmstadt": {"min": 5}, "Gießen": {"min": 3},
                                    "Kassel": {"min": 3}}


def test_the_demo_review_set_up_is_refused_in_production(personas, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        load_reviews(personas.call)
    assert not ReviewCriterion.objects.exists()
