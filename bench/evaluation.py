"""Benchmark of the evaluation report's data path.

    .venv/bin/python bench/evaluation.py [--quick] [--respondents N]
    DATABASE_URL=postgres://…/kohorte_bench .venv/bin/python bench/evaluation.py

Stores 10,000 pseudonymous respondents (500 cohorts of 20) × 32 items × 3 measurements
(pre, post, then: 960,000 answers, one stored answer list per person and measurement)
in a database of its own (SQLite in a temporary var dir, or the PostgreSQL database
named by DATABASE_URL: give it one of its own, the run adds rows and removes them),
then times the real code path once cold and three times warm:
``kohorte.evaluation.selectors.competence_report`` over all cohorts pooled (one query,
the arrays, every statistic per item and dimension, the n ≥ 5 rule).

Figures: ``seconds`` (best of the warm runs; ``cold_seconds`` the first), ``load_seconds``
(the query and the arrays alone, best of three), ``peak_mib`` (the process's peak resident
memory, ru_maxrss, which includes Python, Django and the stored data), ``answers``.
Goal: seconds < 2, peak_mib < 500. The last line printed is one JSON object.
"""

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message):
    print(message, file=sys.stderr, flush=True)


def setup_django(var_dir):
    os.environ["KOHORTE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohorte.settings")
    os.environ.pop("KOHORTE_TESTING", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def fill(respondents, *, per_cohort=20, missing_share=0.0, seed=2026):
    """Cohorts, surveys and answers, written with bulk inserts (not what is timed)."""
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from kohorte.applications.models import Call
    from kohorte.core.tests import factories as f
    from kohorte.courses.models import Cohort
    from kohorte.evaluation.instruments import instrument_from_template, template_data
    from kohorte.evaluation.models import Pseudonym, Response, Survey

    rng = np.random.default_rng(seed)
    run = f"bench-{int(time.time())}-{os.getpid()}"
    now = timezone.now()
    with transaction.atomic():
        programme = f.make_programme(slug=run, name=f"Benchmark {run}")
        data = template_data("gwa-competence")
        data["key"] = run
        instrument = instrument_from_template(data, programme=programme)
        width = instrument.items.filter(column__isnull=False).count()
        n_cohorts = -(-respondents // per_cohort)
        template = f.make_call(programme)
        calls = Call.objects.bulk_create([
            Call(**{**{fld.attname: getattr(template, fld.attname)
                       for fld in Call._meta.concrete_fields if fld.attname != "id"},
                    "slug": f"{run}-{i}", "title": f"Kohorte {i}"})
            for i in range(n_cohorts)])
        cohorts = Cohort.objects.bulk_create([
            Cohort(call=call, title=call.title, feed_token=f"{run}-{i}")
            for i, call in enumerate(calls)])
        surveys = {}
        for kind in (Survey.Kind.PRE, Survey.Kind.POST):
            created = Survey.objects.bulk_create([
                Survey(cohort=cohort, instrument=instrument, kind=kind, opens_at=now,
                       closes_at=now + timezone.timedelta(days=14), state=Survey.State.CLOSED)
                for cohort in cohorts])
            surveys[kind] = created
        pseudonyms = Pseudonym.objects.bulk_create([
            Pseudonym(cohort=cohorts[i // per_cohort], token=f"{run}-{i}")
            for i in range(respondents)])
        pre = rng.integers(1, 6, size=(respondents, width))
        then = np.clip(pre + rng.integers(-1, 2, size=pre.shape), 1, 5)
        post = np.clip(pre + rng.integers(0, 3, size=pre.shape), 1, 5)
        missing = rng.random(size=(3, respondents, width)) < missing_share
        batch = []
        for i, pseudonym in enumerate(pseudonyms):
            cohort_index = i // per_cohort
            for m, (measurement, values, kind) in enumerate(
                    [("pre", pre, "pre"), ("post", post, "post"), ("then", then, "post")]):
                numbers = [None if missing[m, i, c] else int(values[i, c]) for c in range(width)]
                batch.append(Response(survey=surveys[kind][cohort_index], pseudonym=pseudonym,
                                      measurement=measurement, numbers=numbers))
            if len(batch) >= 6000:
                Response.objects.bulk_create(batch)
                batch = []
        Response.objects.bulk_create(batch)
    return programme, instrument, cohorts, width


def cleanup(programme, instrument):
    from django.db import transaction

    from kohorte.applications.models import Call
    from kohorte.courses.models import Cohort
    from kohorte.evaluation.models import Pseudonym, Response, Survey

    with transaction.atomic():
        Response.objects.filter(survey__instrument=instrument).delete()
        Survey.objects.filter(instrument=instrument).delete()
        Pseudonym.objects.filter(cohort__call__programme=programme).delete()
        Cohort.objects.filter(call__programme=programme).delete()
        instrument.delete()
        Call.objects.filter(programme=programme).delete()
        programme.roles.all().delete()
        programme.delete()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 respondents (CI smoke run)")
    parser.add_argument("--respondents", type=int, default=None)
    parser.add_argument("--missing", type=float, default=0.0,
                        help="share of answers left out (default 0: all 960,000 stored)")
    args = parser.parse_args(argv)
    if os.environ.get("KOHORTE_ENV") == "production":
        raise SystemExit("The benchmark never runs against a production configuration.")
    respondents = args.respondents or (2000 if args.quick else 10_000)
    with tempfile.TemporaryDirectory(prefix="bench-evaluation-") as var_dir:
        setup_django(var_dir)
        from django.db import connection

        from kohorte.evaluation.selectors import competence_data, competence_report

        started = time.perf_counter()
        programme, instrument, cohorts, width = fill(respondents, missing_share=args.missing)
        log(f"{connection.vendor}: stored {respondents} respondents × {width} items × 3 in "
            f"{time.perf_counter() - started:.1f} s")
        try:
            timings, loads = [], []
            report = None
            for _ in range(4):
                connection.close()  # each run opens its connection, as a request would
                t0 = time.perf_counter()
                report = competence_report(cohorts=cohorts, instrument=instrument)
                timings.append(time.perf_counter() - t0)
            for _ in range(3):
                t0 = time.perf_counter()
                data = competence_data(cohorts=cohorts, instrument=instrument)
                loads.append(time.perf_counter() - t0)
            answers = int(sum((~__import__("numpy").isnan(a)).sum() for a in data.arrays.values()))
        finally:
            cleanup(programme, instrument)
        figures = {
            "benchmark": "evaluation",
            "database": connection.vendor,
            "respondents": report["n_respondents"],
            "items": width,
            "answers": answers,
            "answer_slots": respondents * width * 3,
            "dimensions": len(report["dimensions"]),
            "comparisons": report["comparisons"],
            "seconds": round(min(timings[1:]), 3),
            "cold_seconds": round(timings[0], 3),
            "load_seconds": round(min(loads), 3),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "goal_seconds": 2.0,
            "goal_peak_mib": 500,
            "python": platform.python_version(),
        }
        figures["goals_met"] = (figures["seconds"] < 2.0 and figures["cold_seconds"] < 2.0
                                and figures["peak_mib"] < 500)
    print(json.dumps(figures))
    return 0 if figures["goals_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
