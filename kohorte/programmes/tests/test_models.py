"""The programme's own rules."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kohorte.core.tests import factories as f


def test_the_smallest_count_shown_to_the_funder_is_at_least_three(db):
    programme = f.make_programme()
    assert programme.min_cell == 3
    programme.min_cell = 2
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "min_cell" in error.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        programme.save(update_fields=["min_cell"])
