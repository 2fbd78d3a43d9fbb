"""Benchmark of the bulk certificate issue.

    .venv/bin/python bench/certificates.py [--quick] [--participants N] [--workers N]

It sets up a scratch SQLite database in a temporary var dir (removed afterwards unless
``--keep``), fills a finished cohort quickly with bulk_create (N participants, default
500, ``--quick`` 40: eight modules of four half-day sessions in the past, everyone
present except one missed half-day for every seventh person, completion confirmed; two
institutions with logos, two signatories with signature images), then issues all
certificates through the real code path: ``certificate_batch_start`` and the worker's
``certificate_batches_run`` (a pool of render processes, the rows, files, audit entries,
outbox mails and the ZIP streamed to disk).

Figures:

* ``certificates_per_s``: certificates over the wall time of ``certificate_batches_run``
  (pool start-up, rendering, writing, the ZIP: all of it; the URLconf, imported on a
  process's first ``reverse()``, is loaded before, like ``django.setup()``);
* ``baseline_per_s`` (as issue 4 defines it): a plain one-page document rendered by
  weasyprint with its defaults (``HTML(string=...).write_pdf()``) over and over in one
  process, in the same run. Goal: ``certificates_per_s`` >= 1.2 x ``baseline_per_s``.
  In one process too: ``plain_page_ua_*`` (the same page as PDF/UA-1),
  ``same_certificate_one_process_per_s`` / ``certificate_whole_cpu_ms`` (the cohort's
  first certificate laid out whole, as one issued on its own) and
  ``cohort_renderer_*`` (the same through ``CertificateRenderer``, as the batch's
  workers render it; ``speedup_over_one_process`` compares the batch with it);
* ``peak_rss_mb``: the highest sum of resident memory of this process and all its child
  processes (the pool), sampled every 50 ms, PSS every 250 ms (forked workers share pages with the parent,
  so this sum over-counts; ``peak_pss_mb`` counts shared pages once). Goal: < 500 MB;
* ``plain_page_cpu_ms`` and ``batch_cpu_ms_per_certificate`` (CPU time of this process
  and the pool, ``parent_cpu_seconds`` / ``workers_cpu_seconds``, also per certificate;
  the memory sampler's own CPU, ``memory_sampler_cpu_seconds``, is left out of the
  parent's): what a certificate costs, less disturbed by other load than wall time;
* ``zip_bytes``, and a check: one valid certificate and one ZIP entry per person,
  every tenth PDF's text names its holder.

Other processes on the machine take cores from the pool: the load average at the start
is printed; read the figures with it. The last line printed is one JSON object. The
exit status is 1 when the check fails (never because of a figure).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message):
    print(message, file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 participants (CI smoke run).")
    parser.add_argument("--participants", type=int, help="Cohort size (default 500).")
    parser.add_argument("--workers", type=int, help="Render processes (default: CPU count).")
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="How long to render the baseline (default 8 s, quick 3 s).")
    parser.add_argument("--keep", action="store_true", help="Keep the var dir.")
    args = parser.parse_args(argv)
    args.participants = args.participants or (40 if args.quick else 500)
    args.baseline_seconds = args.baseline_seconds or (3.0 if args.quick else 8.0)
    return args


# --- Memory of the process tree -----------------------------------------------------------

def _children(pid):
    found = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            text = (task / "children").read_text()
            found += [int(c) for c in text.split()]
    except OSError:
        pass
    return found


def _tree(pid):
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def _kib(path, field):
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


class MemorySampler(threading.Thread):
    """Peak of the summed RSS (and PSS) of this process and its descendants."""

    def __init__(self, interval=0.05):
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_rss_kib = self.peak_pss_kib = 0
        self.max_processes = 0
        self.cpu_seconds = 0.0
        self.samples = 0
        self._halt = threading.Event()

    def run(self):
        started = time.thread_time()
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)
        # Reading /proc (PSS walks the page tables) costs this process CPU time that
        # is the benchmark's, not the batch's: subtracted from the parent's figure.
        self.cpu_seconds = time.thread_time() - started

    def sample(self):
        pids = _tree(os.getpid())
        self.max_processes = max(self.max_processes, len(pids))
        rss = sum(_kib(f"/proc/{p}/status", "VmRSS") for p in pids)
        self.peak_rss_kib = max(self.peak_rss_kib, rss)
        # PSS walks every page table (milliseconds per process): every fifth sample only.
        self.samples += 1
        if self.samples % 5 == 1:
            pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)

    def stop(self):
        self._halt.set()
        self.join()
        self.sample()


# --- Set-up -----------------------------------------------------------------------------------

def setup_django(var_dir):
    os.environ["KOHORTE_VAR_DIR"] = str(var_dir)
    os.environ.pop("KOHORTE_TESTING", None)
    os.environ.pop("DATABASE_URL", None)  # always the scratch SQLite database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohorte.settings")
    os.environ.setdefault("SITE_URL", "https://kohorte.example")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _png(width, height, colour):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 3, height), fill=colour)
    draw.line((width // 3 + 10, height - 10, width - 10, 10), fill=colour, width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


LOGO_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60">'
            b'<rect width="240" height="60" fill="#003366"/><text x="12" y="40" '
            b'fill="#ffffff" font-size="26">Hochschule</text></svg>')
FIRST = ["Anna", "Ben", "Clara", "Deniz", "Emil", "Fatma", "Georg", "Hanna", "Ilyas", "Jana"]
LAST = ["Müller", "Schmidt", "Yılmaz", "Weber", "Wagner", "Becker", "Hoffmann", "Kaya"]


def make_cohort(size):
    """A finished cohort of ``size`` confirmed participants, made with bulk_create."""
    from datetime import datetime, timedelta
    from datetime import time as clock
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from kohorte.accounts.models import User
    from kohorte.applications.models import Application, Call
    from kohorte.courses.models import (
        Attendance,
        CertificateSignatory,
        Cohort,
        Module,
        Participant,
        Session,
    )
    from kohorte.programmes.models import Funder, Institution, Programme

    now = timezone.now()
    run = f"{int(time.time())}"
    funder = Funder.objects.create(name="Ministerium (Bench)", short_name=f"MB{run}")
    lead = Institution.objects.create(name="Hochschule Fulda", city="Fulda")
    lead.logo.save("logo.svg", ContentFile(LOGO_SVG), save=True)
    partner = Institution.objects.create(name="Hochschule RheinMain", city="Wiesbaden")
    partner.logo.save("logo.png", ContentFile(_png(240, 60, (120, 0, 40))), save=True)
    programme = Programme.objects.create(name="Landesprogramm Gemeinwesenarbeit",
                                         slug=f"bench-{run}", funder=funder,
                                         lead_institution=lead)
    programme.partners.add(lead, partner)
    call = Call.objects.create(
        programme=programme, title="Qualifizierung Gemeinwesenarbeit 2025/26",
        slug=f"bench-{run}", summary="Bench", description="Bench",
        eligibility_criteria="-", selection_criteria="-", privacy_notice="-",
        opens_at=now - timedelta(days=500), closes_at=now - timedelta(days=450), places=size,
        funding_year=2025, reference_prefix="GWA", state=Call.State.CLOSED)
    cohort = Cohort.objects.create(call=call, title=call.title, certificate_place="Fulda",
                                   certificate_text="Acht Bausteine zu je zwei Tagen und "
                                                    "ein Praxisprojekt im eigenen Quartier.")
    first_day = timezone.localdate(now) - timedelta(weeks=40)
    sessions = []
    for position in range(1, 9):
        module = Module.objects.create(cohort=cohort, position=position,
                                       title=f"Baustein {position}: Gemeinwesenarbeit in der Praxis")
        start = first_day + timedelta(weeks=4 * (position - 1))
        for day in (start, start + timedelta(days=1)):
            for begins, ends in ((clock(9), clock(12, 30)), (clock(13, 30), clock(17))):
                sessions.append(Session(
                    module=module, hours=Decimal("3.5"),
                    place="Fulda" if position % 2 else "Wiesbaden",
                    starts_at=timezone.make_aware(datetime.combine(day, begins)),
                    ends_at=timezone.make_aware(datetime.combine(day, ends))))
    sessions = Session.objects.bulk_create(sessions)
    for position, institution in ((1, lead), (2, partner)):
        signatory = CertificateSignatory(cohort=cohort, institution=institution,
                                         name=f"Prof. Dr. Unterschrift {position}",
                                         function="Studiengangsleitung", position=position)
        signatory.signature.save("sig.png", ContentFile(_png(300, 100, (0, 0, 90))),
                                 save=False)
        signatory.save()
    users = User.objects.bulk_create([
        User(email=f"p{n}-{run}@bench.example", password="!") for n in range(size)])
    applications = Application.objects.bulk_create([
        Application(call=call, applicant=user, email=user.email,
                    first_name=FIRST[n % len(FIRST)], last_name=LAST[n % len(LAST)])
        for n, user in enumerate(users)])
    participants = Participant.objects.bulk_create([
        Participant(cohort=cohort, application=application, user_id=application.applicant_id,
                    first_name=application.first_name,
                    last_name=f"{application.last_name} {n}", email=application.email,
                    joined_on=first_day, completion_confirmed_at=now)
        for n, application in enumerate(applications)])
    Attendance.objects.bulk_create([
        Attendance(session=session, participant=participant, status="present")
        for n, participant in enumerate(participants)
        for k, session in enumerate(sessions) if not (n % 7 == 0 and k == 0)
    ], batch_size=2000)
    return cohort


# --- The runs -------------------------------------------------------------------------------

def baseline_in_child(document, images, seconds):
    """``baseline`` in a forked child process, so that this process stays as lean as the
    worker that runs batches (rendering grows a process by some tens of MB)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target():
        send.send(baseline(document, images, seconds))

    child = context.Process(target=target)
    child.start()
    rates = receive.recv()
    child.join()
    return rates


PLAIN_PAGE = ('<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Seite</title>'
              '</head><body><h1>Teilnahmezertifikat</h1><p>Eine schlichte Seite.</p></body></html>')


def _rate(render, seconds):
    """(renders per second, CPU ms per render) of ``render`` for ``seconds``."""
    render()  # warm-up: fonts, templates
    count, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        render()
        count += 1
    return (count / (time.perf_counter() - started),
            (time.process_time() - cpu_started) * 1000 / count)


def baseline(document, images, seconds):
    """Renders per second and CPU ms per render in one process, of

    * ``plain``: the issue's baseline, a plain one-page document by weasyprint with its
      defaults (``HTML(string=...).write_pdf()``, nothing kept between renders);
    * ``plain_ua``: the same page as PDF/UA-1 (what the earlier version of this
      benchmark used as its baseline);
    * ``whole``: the certificate laid out whole (``certificate_pdf``, as for one
      certificate issued on its own);
    * ``cohort``: the certificate as the bulk issue renders it (``CertificateRenderer``:
      the shared layout once, the slots of ten certificates at a time), one process.
    """
    from weasyprint import HTML

    from kohorte.courses.certificate_pdf import CertificateRenderer, certificate_pdf

    figures = {
        "plain": _rate(lambda: HTML(string=PLAIN_PAGE).write_pdf(), seconds),
        "plain_ua": _rate(lambda: HTML(string=PLAIN_PAGE).write_pdf(pdf_variant="pdf/ua-1"),
                          min(seconds, 2)),
        "whole": _rate(lambda: certificate_pdf(document, images), min(seconds, 3)),
    }
    renderer = CertificateRenderer(images)
    documents = [dict(document, code=f"{n:020d}") for n in range(10)]
    rate, cpu_ms = _rate(lambda: renderer.pdfs(documents), seconds)
    figures["cohort"] = (rate * len(documents), cpu_ms / len(documents))
    return figures


def check(cohort, batch, size):
    from pypdf import PdfReader

    from kohorte.courses.models import Certificate
    from kohorte.notifications.models import OutboxMail

    problems = []
    valid = Certificate.objects.filter(participant__cohort=cohort, revoked_at__isnull=True)
    if valid.count() != size:
        problems.append(f"{valid.count()} valid certificates for {size} people")
    mails = OutboxMail.objects.filter(template="course_certificate_issued").count()
    if mails != size:
        problems.append(f"{mails} e-mails for {size} people")
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        if len(names) != size:
            problems.append(f"{len(names)} ZIP entries for {size} people")
        holders = {c.holder_name for c in valid}
        for name in names[::10]:
            text = PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
            if not any(holder in text for holder in holders):
                problems.append(f"{name} names nobody of the cohort")
    return problems


def main(argv=None):
    args = parse_args(argv)
    if os.environ.get("KOHORTE_ENV") == "production":
        raise SystemExit("The benchmark never runs against a production configuration.")
    bench_started = time.perf_counter()
    var_dir = Path(tempfile.mkdtemp(prefix="bench-certificates-", dir="/tmp"))
    load = os.getloadavg()
    log(f"var dir {var_dir}; {args.participants} participants; cores {os.cpu_count()}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    try:
        setup_django(var_dir)
        from django.utils import timezone

        from kohorte.courses.models import CertificateBatch
        from kohorte.courses.selectors.attendance import attendance_rates
        from kohorte.courses.services import certificates as services

        started = time.perf_counter()
        cohort = make_cohort(args.participants)
        log(f"cohort filled in {time.perf_counter() - started:.1f} s; this process "
            f"{_kib('/proc/self/status', 'VmRSS') // 1024} MB")

        # The baseline renders what the batch renders: the cohort's first certificate.
        now = timezone.now()
        base, institutions, signatories = services._cohort_content(cohort, now=now)
        participant = cohort.participants.first()
        rate = attendance_rates(cohort, now=now)[participant.pk]
        sample = services._new_certificate(participant, base, rate, now=now, actor=None)
        document = services.certificate_document(sample)
        images = services._images(institutions, signatories)
        rates = baseline_in_child(document, images, args.baseline_seconds)
        plain_per_s = rates["plain"][0]
        log("one process: " + ", ".join(f"{name} {per_s:.1f}/s ({cpu_ms:.1f} ms CPU)"
                                        for name, (per_s, cpu_ms) in rates.items()))
        # The URLconf is imported on the first reverse() of a process (about a second):
        # a start-up cost of the worker process, not of a batch (like django.setup()).
        services.verify_url("warm-up")

        batch = services.certificate_batch_start(cohort=cohort, actor=None)
        sampler = MemorySampler()
        sampler.start()
        cpu_before = os.times()
        started = time.perf_counter()
        result = services.certificate_batches_run(workers=args.workers)
        seconds = time.perf_counter() - started
        cpu_after = os.times()
        sampler.stop()
        batch.refresh_from_db()
        log(f"batch: {result} in {seconds:.1f} s ({batch.state})")
        if batch.state != CertificateBatch.State.DONE:
            raise SystemExit(f"batch failed: {batch.error}")
        problems = check(cohort, batch, args.participants)
        for problem in problems:
            log(f"CHECK FAILED: {problem}")
        per_s = args.participants / seconds
        # CPU of this process less the memory sampler's, and of the pool's processes.
        parent_cpu = ((cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
                      - sampler.cpu_seconds)
        workers_cpu = ((cpu_after.children_user - cpu_before.children_user)
                       + (cpu_after.children_system - cpu_before.children_system))
        workers = args.workers or services._pool_size(None)
        figures = {
            "bench": "certificates",
            "participants": args.participants,
            "workers": workers,
            "certificates_per_s": round(per_s, 2),
            "baseline_per_s": round(plain_per_s, 2),
            "ratio_to_baseline": round(per_s / plain_per_s, 2),
            "plain_page_cpu_ms": round(rates["plain"][1], 1),
            "plain_page_ua_per_s": round(rates["plain_ua"][0], 2),
            "plain_page_ua_cpu_ms": round(rates["plain_ua"][1], 1),
            "same_certificate_one_process_per_s": round(rates["whole"][0], 2),
            "certificate_whole_cpu_ms": round(rates["whole"][1], 1),
            "cohort_renderer_one_process_per_s": round(rates["cohort"][0], 2),
            "cohort_renderer_cpu_ms": round(rates["cohort"][1], 1),
            "speedup_over_one_process": round(per_s / rates["cohort"][0], 2),
            "batch_seconds": round(seconds, 2),
            # CPU per certificate: less disturbed by what else runs on the machine.
            "batch_cpu_ms_per_certificate": round(
                1000 * (parent_cpu + workers_cpu) / args.participants, 1),
            "parent_cpu_ms_per_certificate": round(1000 * parent_cpu / args.participants, 1),
            "workers_cpu_ms_per_certificate": round(1000 * workers_cpu / args.participants, 1),
            "parent_cpu_seconds": round(parent_cpu, 2),
            "workers_cpu_seconds": round(workers_cpu, 2),
            "memory_sampler_cpu_seconds": round(sampler.cpu_seconds, 2),
            "peak_rss_mb": round(sampler.peak_rss_kib / 1024, 1),
            "peak_pss_mb": round(sampler.peak_pss_kib / 1024, 1),
            "max_processes": sampler.max_processes,
            "zip_bytes": batch.zip_file.size,
            "load_average_start": round(load[0], 2),
            "total_seconds": round(time.perf_counter() - bench_started, 2),
            "goal_1_2_x_baseline": per_s >= 1.2 * plain_per_s,
            "goal_memory_500mb": sampler.peak_rss_kib / 1024 < 500,
            "check_ok": not problems,
        }
        print(json.dumps(figures), flush=True)
        return 0 if not problems else 1
    finally:
        if args.keep:
            log(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
