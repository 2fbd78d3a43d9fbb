"""What the evaluation holds about a person (Art. 15 GDPR): a part of "Your data".

Registered in ``settings.KOHORTE_PERSONAL_DATA_HOOKS``. Answers are stored under a
pseudonym (docs/evaluation.md); while the cohort's key exists they are still the
person's data, so the person sees them here: only their own, through their own course
place's key, in their own session. No staff page reads the key this way. Once the key
is destroyed nobody can tell which answers are whose, the person included: the part
then says so instead.
"""

from django.db.models import Prefetch

from kohorte.courses.models import Participant

from .forms_surveys import in_language
from .models import Item, PseudonymKey, Response
from .services import keys_destroyed

TEMPLATE = "evaluation/_my_data.html"


def _answer(item: Item, response: Response):
    """The answer to ``item`` in ``response`` as the person gave it (None: none)."""
    if item.kind in Item.NUMERIC:
        numbers = response.numbers
        value = numbers[item.column] if item.column is not None and item.column < len(numbers) \
            else None
        if value is None:
            return None
        if item.kind == Item.Kind.LIKERT and float(value).is_integer() and \
                1 <= value <= len(item.options):
            label = item.options[int(value) - 1]
            return f"{int(value)} ({in_language(label.get('de', ''), label.get('en', ''))})"
        return int(value) if float(value).is_integer() else value
    given = response.other.get(item.key)
    if given is None or item.kind == Item.Kind.TEXT:
        return given
    labels = {str(option["value"]): in_language(option.get("de", ""), option.get("en", ""))
              for option in item.options}
    chosen = given if isinstance(given, list) else [given]
    return ", ".join(labels.get(str(value), str(value)) for value in chosen)


def _responses(pseudonym) -> list[dict]:
    answered = []
    for response in pseudonym.responses.all():
        survey, instrument = response.survey, response.survey.instrument
        items = [item for item in instrument.items.all()
                 if response.measurement != Response.Measurement.THEN or item.kind in Item.NUMERIC]
        answered.append({
            "survey": in_language(instrument.title_de, instrument.title_en),
            "kind": survey.get_kind_display(),
            "module": str(survey.module) if survey.module_id else "",
            "measurement": response.get_measurement_display(),
            "submitted_on": response.submitted_on,
            "answers": [{"question": in_language(item.text_de, item.text_en),
                         "answer": _answer(item, response)} for item in items],
        })
    return answered


def evaluation_data(*, user) -> dict | None:
    """The person's survey answers per course place, under its pseudonym while the key
    exists; None if the person never had a place in a course with an evaluation."""
    keys = {key.participant_id: key for key in PseudonymKey.objects
            .filter(participant__user=user)
            .select_related("pseudonym")
            .prefetch_related(Prefetch(
                "pseudonym__responses", Response.objects
                .select_related("survey__instrument", "survey__module")
                .prefetch_related("survey__instrument__items")
                .order_by("submitted_on", "survey__opens_at", "id")))}
    places = []
    for participant in (Participant.objects.filter(user=user, cohort__pseudonyms__isnull=False)
                        .distinct().select_related("cohort").order_by("joined_on", "id")):
        key = keys.get(participant.pk)
        if key is None and not keys_destroyed(participant.cohort):
            continue  # joined after the pseudonyms were issued: nothing is kept
        places.append({
            "course": participant.cohort.title,
            "pseudonym_key_destroyed": key is None,
            "follow_up_consent": key.pseudonym.follow_up_consent if key else None,
            "responses": _responses(key.pseudonym) if key else [],
        })
    if not places:
        return None
    return {"key": "evaluation", "template": TEMPLATE, "data": places}
