"""Deadline rush: Kohorte's intake under load, over HTTP, served as `make run` serves it.

Starts gunicorn with the outbox worker beside it on a private var dir (SQLite there, or
the PostgreSQL database named by DATABASE_URL) and drives complete application
journeys like a browser: the call page, the sign-in link (read from the outbox), every
step of the form with its CSRF token, a 300 KB PDF, the check page and the submit.

1. rush: journeys arrive at a fixed rate, each step as fast as the server answers;
2. capacity: clients doing journeys back to back;
3. floor: the final submit alone (prepared drafts) and a minimal view in the same
   server and middleware that inserts one row (kohorte/core/views_bench.py), in
   alternating rounds, so that both meet the machine in the same state.

Afterwards the database must hold exactly one submitted application and one
confirmation e-mail per journey and per confirmed submit. The last line printed is
JSON; the exit status is 1 when errors, lost or duplicated are not 0. Goals are
judged by the reader: this program only measures.
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

FULL = {"rush_rate": 10.0, "rush_seconds": 200.0, "capacity_clients": 50,
        "capacity_seconds": 60.0, "floor_clients": 50, "floor_seconds": 20.0, "floor_rounds": 4}
QUICK = {"rush_rate": 2.0, "rush_seconds": 10.0, "capacity_clients": 10,
         "capacity_seconds": 10.0, "floor_clients": 10, "floor_seconds": 5.0, "floor_rounds": 1}

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
SITE_SELECT_RE = re.compile(r'<select name="site".*?</select>', re.S)
OPTION_RE = re.compile(r'<option value="(\d+)"')
LINK_RE = re.compile(r"/konto/anmelden/link/([A-Za-z0-9_-]+)/")
STEP_RE = re.compile(r"^/bewerbungen/(\d+)/schritt/contact/$")


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="A smoke run for CI: rush 2/s for 10 s, 10 clients for 10 s, floor 10 clients 5 s.")
    parser.add_argument("--rush-rate", type=float, help="Journeys started per second (10).")
    parser.add_argument("--rush-seconds", type=float, help="Length of the rush (200).")
    parser.add_argument("--capacity-clients", type=int, help="Clients doing journeys back to back (50).")
    parser.add_argument("--capacity-seconds", type=float, help="Length of the capacity phase (60).")
    parser.add_argument("--floor-clients", type=int, help="Clients of each floor measurement (50).")
    parser.add_argument("--floor-seconds", type=float,
                        help="Length of each floor measurement, all rounds together (20).")
    parser.add_argument("--floor-rounds", type=int,
                        help="Rounds the floor's two measurements alternate in (4): the machine's "
                             "speed drifts, and the ratio compares the two.")
    parser.add_argument("--skip", action="append", default=[], choices=["rush", "capacity", "floor"],
                        help="Leave a phase out (repeatable); its figures are then null.")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1,
                        help="gunicorn worker processes (as `make run`: the cores + 1).")
    parser.add_argument("--threads", type=int, default=1,
                        help="Threads per gunicorn worker (1: sync workers, as `make run`).")
    parser.add_argument("--worker-class", default="sync",
                        help="gunicorn worker class (sync; gthread keeps connections alive).")
    parser.add_argument("--port", type=int, default=8150, help="Port on 127.0.0.1 (8150).")
    parser.add_argument("--wsgi-app", default="kohorte.wsgi:application",
                        help="The WSGI application gunicorn serves (e.g. a profiling wrapper).")
    parser.add_argument("--var-dir", help="Var dir to use (default: a new one under /tmp, removed afterwards).")
    parser.add_argument("--keep", action="store_true", help="Keep the var dir and the server logs.")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


# --- HTTP: one browser per journey ---------------------------------------------------

class RequestFailed(Exception):
    pass


class Recorder:
    """Latencies of one phase: (label, milliseconds); and the failures."""

    def __init__(self, name):
        self.name = name
        self.samples = []
        self.errors = []

    def add(self, label, ms):
        self.samples.append((label, ms))

    def fail(self, message):
        self.errors.append(message)

    def latencies(self, label=None):
        return [ms for lab, ms in self.samples if label is None or lab == label]


def percentile(values, q):
    """Nearest-rank percentile, rounded to 0.1; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)], 1)


class Browser:
    """A minimal browser: its own cookie jar and connection, following redirects."""

    def __init__(self, port, recorder):
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.recorder = recorder
        self.cookies = {}
        self.conn = None
        self.used = False

    def close(self):
        if self.conn is not None:
            self.conn.close()

    def _store_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            attributes = attributes.lower()
            if "max-age=0" in attributes or 'expires=thu, 01 jan 1970' in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip('"')

    def _send(self, method, path, body, headers):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                self.used = False
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server had just closed: a browser retries
                # once on a new one; a fresh connection failing is an error.
                self.conn.close()
                self.conn = None
                if reused and attempt == 1:
                    continue
                raise
            self.used = True
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response, data
        raise AssertionError("unreachable")

    def request(self, method, path, *, label, fields=None, files=None, expect=200):
        """One request; returns (status, location, text). ``expect`` is the status wanted."""
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "kohorte-bench/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
            body, headers["Content-Type"] = encode_form(fields or {}, files)
        started = time.perf_counter()
        try:
            response, data = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            raise RequestFailed(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        self.recorder.add(label, (time.perf_counter() - started) * 1000)
        self._store_cookies(response)
        text = data.decode("utf-8", "replace")
        if response.status != expect:
            raise RequestFailed(f"{method} {path}: status {response.status}, wanted {expect}: "
                                f"{error_excerpt(text)}")
        location = response.getheader("Location", "")
        return response.status, urlsplit(location).path if location else "", text

    def get(self, path, *, label):
        return self.request("GET", path, label=label)[2]

    def post(self, path, fields, *, label, files=None, redirect_to=None):
        """POST a form and follow its redirect as a browser does; returns (path, page)."""
        _status, location, _text = self.request("POST", path, label=label, fields=fields,
                                                files=files, expect=302)
        if redirect_to is not None and not re.fullmatch(redirect_to, location):
            raise RequestFailed(f"POST {path}: redirected to {location}, wanted {redirect_to}")
        return location, self.get(location, label=f"{label} →")


def error_excerpt(text):
    found = re.search(r'class="kern-error"[^>]*>(.*?)</div>', text, re.S) or re.search(
        r"<title>(.*?)</title>", text, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()[:200] if found else text[:200]


def encode_form(fields, files=None):
    if not files:
        body = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in fields.items())
        return body.encode(), "application/x-www-form-urlencoded"
    boundary = f"----kohorte-bench-{random.getrandbits(64):016x}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content_type, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode())
        parts.append(content)
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_of(page):
    # The first token of the main content: the header's forms come before <main.
    found = CSRF_RE.search(page, page.find("<main"))
    if not found:
        raise RequestFailed("no CSRF token in the page")
    return found.group(1)


def release_pdf(size=300 * 1024):
    """A one-page PDF padded to ``size`` bytes (a scanned letter is about that big)."""
    head = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n")
    tail = b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    filler = size - len(head) - len(tail) - 40
    stream = (b"% Freistellung fuer die Qualifizierung Gemeinwesenarbeit\n" * (filler // 57 + 1))[:filler]
    return head + b"4 0 obj<</Length %d>>stream\n" % filler + stream + tail


# --- The journey -------------------------------------------------------------------

MOTIVATION = ("Ich arbeite im Quartiersbüro und möchte Beteiligung methodisch sicherer "
              "gestalten, vor allem mit Menschen, die bisher kaum erreicht werden.")


@dataclass
class Bench:
    args: argparse.Namespace
    slug: str
    domain: str
    pdf: bytes
    db_pool: ThreadPoolExecutor
    journeys: list = field(default_factory=list)  # e-mail addresses of all journeys
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    def next_email(self, phase):
        with self.lock:
            self.counter += 1
            email = f"{phase}-{self.counter:05d}@{self.domain}"
            self.journeys.append(email)
        return email

    def login_token(self, email):
        """The token from the sign-in e-mail, read from the outbox as a mail client would."""
        body = self.db_pool.submit(outbox_login_body, email).result()
        found = LINK_RE.search(body or "")
        if not found:
            raise RequestFailed(f"no sign-in e-mail for {email}")
        return found.group(1)


def outbox_login_body(email):
    from kohorte.notifications.models import OutboxMail

    return (OutboxMail.objects.filter(to=email, template="login_link")
            .order_by("-id").values_list("body", flat=True).first())


def journey(bench: Bench, recorder: Recorder, email: str, rng: random.Random):
    """One applicant from the call page to the confirmation, like a browser."""
    browser = Browser(bench.args.port, recorder)
    call_path = f"/ausschreibungen/{bench.slug}/"
    try:
        browser.get(call_path, label="call")
        login_path = f"/konto/anmelden/?next={quote(call_path)}"
        page = browser.get(login_path, label="login")
        browser.post(login_path, {"csrfmiddlewaretoken": csrf_of(page), "email": email,
                                  "next": call_path},
                     label="login_request", redirect_to="/konto/anmelden/gesendet/")
        link = f"/konto/anmelden/link/{bench.login_token(email)}/"
        page = browser.get(link, label="login_link")
        _path, page = browser.post(link, {"csrfmiddlewaretoken": csrf_of(page)},
                                   label="login_confirm", redirect_to=re.escape(call_path))
        path, page = browser.post(f"{call_path}bewerben/", {"csrfmiddlewaretoken": csrf_of(page)},
                                  label="apply_start", redirect_to=STEP_RE.pattern[1:-1])
        pk = STEP_RE.match(path).group(1)
        steps = journey_steps(bench, rng)
        for index, (step, fields, files) in enumerate(steps):
            nxt = steps[index + 1][0] if index + 1 < len(steps) else None
            want = f"/bewerbungen/{pk}/schritt/{nxt}/" if nxt else f"/bewerbungen/{pk}/pruefen/"
            fields = {"csrfmiddlewaretoken": csrf_of(page), **fields}
            if step == "employment":
                fields["site"] = site_choice(page, rng)
            _path, page = browser.post(f"/bewerbungen/{pk}/schritt/{step}/", fields, files=files,
                                       label=f"step_{step}", redirect_to=re.escape(want))
        browser.post(f"/bewerbungen/{pk}/absenden/", {"csrfmiddlewaretoken": csrf_of(page)},
                     label="submit", redirect_to=re.escape(f"/bewerbungen/{pk}/eingegangen/"))
        return True
    except Exception as exc:  # noqa: BLE001 - any failure is the journey's error
        recorder.fail(f"{email}: {exc}" if isinstance(exc, RequestFailed)
                      else f"{email}: {exc.__class__.__name__}: {exc}")
        return False
    finally:
        browser.close()


def site_choice(page, rng):
    """A site from the select of the employment step, as an applicant picks one."""
    select = SITE_SELECT_RE.search(page)
    options = OPTION_RE.findall(select.group(0)) if select else []
    if not options:
        raise RequestFailed("no sites to choose from on the employment step")
    return rng.choice(options)


def journey_steps(bench, rng):
    first = rng.choice(["Aylin", "Jonas", "Mira", "Lukas", "Fatma", "Tobias", "Elif", "Jan"])
    return [
        ("contact", {"first_name": first, "last_name": "Beispiel", "phone": "0661 123456"}, None),
        ("employment", {"site_other": "", "organisation_other": "", "region": "",
                        "job_title": "Quartiersmanagerin", "weekly_hours": "39",
                        "employment_kind": "paid", "employed_since": "2021-03-01"}, None),
        ("qualification", {"qualification": "social_work",
                           "qualification_detail": "B.A. Soziale Arbeit"}, None),
        ("motivation", {"motivation": MOTIVATION}, None),
        ("commitment", {"commits_to_all_modules": "yes"}, None),
        ("release", {}, {"document": ("Freistellung.pdf", "application/pdf", bench.pdf)}),
        ("accessibility", {"accessibility_needs": ""}, None),
        ("privacy", {"acknowledged": "on"}, None),
    ]


# --- Phases ------------------------------------------------------------------------

def phase_rush(bench):
    """Open model: journeys start on the clock, whether or not earlier ones are done."""
    recorder = Recorder("rush")
    rate, total = bench.args.rush_rate, int(bench.args.rush_rate * bench.args.rush_seconds)
    threads, lags = [], []
    started = time.perf_counter()
    for number in range(total):
        due = started + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        lags.append(time.perf_counter() - due)
        email = bench.next_email("rush")
        thread = threading.Thread(target=journey, args=(bench, recorder, email, random.Random(email)),
                                  daemon=True)
        thread.start()
        threads.append(thread)
        if number % max(1, int(rate * 20)) == 0 and number:
            log(f"rush: {number}/{total} journeys started, {len(recorder.errors)} errors")
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    log(f"rush: {total} journeys in {elapsed:.1f} s; start lag max {max(lags, default=0) * 1000:.0f} ms")
    return recorder, total


def phase_capacity(bench):
    """Closed model: each client starts its next journey when the last one is done."""
    recorder = Recorder("capacity")
    deadline = time.perf_counter() + bench.args.capacity_seconds
    done = []

    def client(number):
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            if journey(bench, recorder, bench.next_email("capacity"), rng):
                done.append(1)

    started = time.perf_counter()
    run_clients(bench.args.capacity_clients, client)
    elapsed = time.perf_counter() - started
    return recorder, len(done), elapsed


def run_clients(count, target):
    threads = [threading.Thread(target=target, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def phase_floor(bench, recorder, ok, seconds, path_for, take, expect):
    """Clients POST one request after another, as fast as the server answers, for
    ``seconds``; the confirmed items are appended to ``ok``; the time taken.

    ``take(client)`` gives the next prepared request (session, CSRF token) or None.
    """
    name = recorder.name
    deadline = time.perf_counter() + seconds
    exhausted = []

    def client(number):
        browser = Browser(bench.args.port, recorder)
        try:
            while time.perf_counter() < deadline:
                item = take(number)
                if item is None:
                    exhausted.append(number)
                    return
                browser.cookies = {"sessionid": item["session"], "csrftoken": item["csrf"]}
                try:
                    browser.request("POST", path_for(item), label=name, expect=expect,
                                    fields={"csrfmiddlewaretoken": item["csrf"]})
                except RequestFailed as exc:
                    recorder.fail(f"{item['email']}: {exc}")
                else:
                    ok.append(item)
        finally:
            browser.close()

    started = time.perf_counter()
    run_clients(bench.args.floor_clients, client)
    elapsed = time.perf_counter() - started
    if exhausted:
        log(f"{name}: ran out of prepared requests after {elapsed:.1f} s")
    return elapsed


# --- Set-up, server, checks (Django in this process for the database side) -----------

def bench_environment(args, var_dir):
    env = dict(os.environ)
    env.update({
        "KOHORTE_VAR_DIR": str(var_dir),
        "KOHORTE_BENCH": "1",
        # Each journey has its own address; the limit is raised for this server only.
        "LOGIN_LINK_RATE_PER_HOUR": "1000000",
        "SITE_URL": f"http://{HOST}:{args.port}",
    })
    env.setdefault("DJANGO_SETTINGS_MODULE", "kohorte.settings")
    env.pop("KOHORTE_TESTING", None)
    return env


def manage(env, *command):
    subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def create_call(run_id):
    """A dedicated open call for this run, published through the service."""
    from datetime import timedelta

    from django.utils import timezone

    from kohorte.applications.models import Call, CallModule
    from kohorte.applications.services import call_publish
    from kohorte.programmes.models import Programme

    demo = Call.objects.filter(programme__slug="gwa-hessen").order_by("-closes_at").first()
    now = timezone.now()
    call = Call.objects.create(
        programme=Programme.objects.get(slug="gwa-hessen"), slug=f"bench-{run_id}",
        title=f"Benchmark {run_id}", summary="Deadline rush (benchmark)",
        description=demo.description, eligibility_criteria=demo.eligibility_criteria,
        selection_criteria=demo.selection_criteria, privacy_notice=demo.privacy_notice,
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2), places=20,
        funding_year=demo.funding_year, release_due_date=(now + timedelta(days=30)).date(),
        reference_prefix=f"B{run_id[-6:]}",
    )
    for module in demo.modules.all():
        CallModule.objects.create(call=call, position=module.position, title=module.title,
                                  start_date=module.start_date, end_date=module.end_date,
                                  place=module.place)
    call_publish(call=call, actor=None)
    return call


def prepare_sessions(emails):
    """Users signed in as the login link would leave them: session and CSRF cookie."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from kohorte.accounts.backends import USER_BACKEND
    from kohorte.accounts.models import User
    from kohorte.core.models import Session
    from kohorte.core.sessions import SessionStore

    User.objects.bulk_create([User(email=email, password=make_password(None)) for email in emails],
                             batch_size=500)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    store, sessions, items = SessionStore(), [], []
    expires = timezone.now() + timedelta(days=1)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    for email in emails:
        user = users[email]
        key = get_random_string(32, alphabet)
        data = store.encode({SESSION_KEY: str(user.pk),
                             BACKEND_SESSION_KEY: USER_BACKEND,
                             HASH_SESSION_KEY: user.get_session_auth_hash()})
        sessions.append(Session(session_key=key, session_data=data, expire_date=expires,
                                user_id=user.pk))
        items.append({"email": email, "user": user, "session": key,
                      "csrf": get_random_string(32)})
    Session.objects.bulk_create(sessions, batch_size=500)
    return items


def prepare_drafts(call, emails):
    """Complete drafts, as a journey leaves them before its submit (release: later)."""
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from kohorte.applications.models import Application
    from kohorte.applications.services import missing_steps
    from kohorte.applications.services.submission import STEPS
    from kohorte.programmes.models import Site

    items = prepare_sessions(emails)
    sites = list(Site.objects.all())
    rng, now = random.Random(7), timezone.now()
    drafts = []
    for item in items:
        site = rng.choice(sites)
        drafts.append(Application(
            call=call, applicant=item["user"], email=item["email"], first_name="Mira",
            last_name="Beispiel", site=site, organisation_id=site.organisation_id,
            region_id=site.region_id, job_title="Quartiersmanagerin",
            weekly_hours=Decimal("39"), employment_kind="paid", employed_since=date(2021, 3, 1),
            qualification="social_work", motivation=MOTIVATION, commits_to_all_modules=True,
            release_later=True, privacy_acknowledged_at=now, steps_done=list(STEPS)))
    Application.objects.bulk_create(drafts, batch_size=500)
    pks = dict(Application.objects.filter(call=call, email__in=emails).values_list("email", "pk"))
    for item in items:
        item["pk"] = pks[item["email"]]
    sample = Application.objects.get(pk=items[0]["pk"])
    assert not missing_steps(sample), missing_steps(sample)
    return items


def count_outcomes(call, domain):
    """Per e-mail address: submitted applications and confirmation e-mails."""
    from django.db.models import Count

    from kohorte.applications.models import Application
    from kohorte.notifications.models import OutboxMail

    applications = dict(Application.objects.filter(call=call, state="submitted")
                        .values("email").annotate(n=Count("id")).values_list("email", "n"))
    mails = dict(OutboxMail.objects.filter(template="application_submitted",
                                           to__endswith=f"@{domain}")
                 .values("to").annotate(n=Count("id")).values_list("to", "n"))
    pending = OutboxMail.objects.filter(to__endswith=f"@{domain}", state="pending").count()
    return applications, mails, pending


class Server:
    """gunicorn and the outbox worker, started as `make run` starts them."""

    def __init__(self, args, env, var_dir):
        self.args, self.env, self.var_dir = args, env, var_dir
        self.processes = []

    def start(self):
        probe = socket.socket()
        try:
            if probe.connect_ex((HOST, self.args.port)) == 0:
                raise SystemExit(f"port {self.args.port} is in use; choose another with --port")
        finally:
            probe.close()
        worker_log = open(self.var_dir / "worker.log", "wb")  # noqa: SIM115
        server_log = open(self.var_dir / "gunicorn.log", "wb")  # noqa: SIM115
        self.processes.append(subprocess.Popen(
            [PYTHON, "manage.py", "run_worker"], cwd=ROOT, env=self.env,
            stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True))
        command = [str(Path(PYTHON).parent / "gunicorn"), self.args.wsgi_app,
                   "--bind", f"{HOST}:{self.args.port}", "--workers", str(self.args.workers),
                   "--threads", str(self.args.threads), "--worker-class", self.args.worker_class,
                   "--graceful-timeout", "10",
                   "--access-logfile", str(self.var_dir / "access.log")]
        self.processes.append(subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=server_log, stderr=subprocess.STDOUT,
            start_new_session=True))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                conn = http.client.HTTPConnection(HOST, self.args.port, timeout=5)
                conn.request("GET", "/konto/anmelden/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the server did not start; see {self.var_dir / 'gunicorn.log'}:\n"
                         + (self.var_dir / "gunicorn.log").read_text(errors="replace")[-3000:])

    def cpu_seconds(self):
        """CPU time of the server's processes so far, the outbox worker's first and the
        app server's second (Linux /proc; None elsewhere)."""
        groups = [p.pid for p in self.processes]  # the worker, then gunicorn
        totals = [0.0] * len(groups)
        try:
            ticks = os.sysconf("SC_CLK_TCK")
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[2]) in groups:  # the process group
                    totals[groups.index(int(fields[2]))] += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, ValueError):
            return None
        return totals

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main(argv=None):
    args = parse_args(argv)
    if os.environ.get("KOHORTE_ENV") == "production":
        raise SystemExit("The benchmark never runs against a production configuration.")
    own_var_dir = args.var_dir is None
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="bench-intake-", dir="/tmp"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env = bench_environment(args, var_dir)
    os.environ.update(env)
    database = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    run_id = f"{int(time.time())}{os.getpid() % 1000:03d}"
    log(f"{database}, var dir {var_dir}, gunicorn {args.workers} workers × {args.threads} threads, "
        f"port {args.port}")

    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_demo")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    call = create_call(run_id)
    domain = f"r{run_id}.bench.example"
    server = Server(args, env, var_dir)
    db_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="outbox-reader")
    bench = Bench(args=args, slug=call.slug, domain=domain, pdf=release_pdf(), db_pool=db_pool)
    result = {"rush_p99_ms": None, "rush_submit_p99_ms": None, "journeys_per_s": None,
              "submit_per_s": None, "floor_per_s": None, "floor_ratio": None}
    errors = []
    server.start()
    try:
        # Warm-up: each worker loads its templates; checked, not timed.
        warm = Recorder("warm-up")
        run_clients(args.workers, lambda n: journey(bench, warm, bench.next_email("warm"),
                                                    random.Random(n)))
        errors += warm.errors

        if "rush" not in args.skip:
            log(f"rush: {args.rush_rate:g} journeys/s for {args.rush_seconds:g} s")
            with cpu_report(server, "rush"):
                rush, _total = phase_rush(bench)
            errors += rush.errors
            result["rush_p99_ms"] = percentile(rush.latencies(), 99)
            result["rush_submit_p99_ms"] = percentile(rush.latencies("submit"), 99)
            report_latencies(rush)

        if "capacity" not in args.skip:
            log(f"capacity: {args.capacity_clients} clients for {args.capacity_seconds:g} s")
            with cpu_report(server, "capacity"):
                capacity, done, elapsed = phase_capacity(bench)
            errors += capacity.errors
            result["journeys_per_s"] = round(done / elapsed, 2)
            log(f"capacity: {done} journeys in {elapsed:.1f} s")
            report_latencies(capacity)

        submitted = []  # the floor's confirmed submits
        if "floor" not in args.skip:
            count = int(args.floor_seconds * 600) + args.floor_clients
            log(f"floor: preparing {count} drafts and {args.floor_clients} sessions")
            drafts = prepare_drafts(call, [f"draft-{n:05d}@{domain}" for n in range(count)])
            probes = prepare_sessions([f"floor-{n:03d}@{domain}" for n in range(args.floor_clients)])
            connections.close_all()
            queue, lock = list(reversed(drafts)), threading.Lock()

            def next_draft(_client):
                with lock:
                    return queue.pop() if queue else None

            seconds = args.floor_seconds / args.floor_rounds
            log(f"floor: the submit alone and the one-row insert, {args.floor_clients} clients, "
                f"{args.floor_rounds} × {seconds:g} s each, alternating")
            submit_rec, floor_rec, floor_ok = Recorder("submit"), Recorder("floor"), []
            submit_cpu, floor_cpu = CpuMeter(server), CpuMeter(server)
            submit_time = floor_time = 0.0
            for _round in range(args.floor_rounds):
                with submit_cpu:
                    submit_time += phase_floor(
                        bench, submit_rec, submitted, seconds,
                        lambda item: f"/bewerbungen/{item['pk']}/absenden/", next_draft, 302)
                with floor_cpu:
                    floor_time += phase_floor(bench, floor_rec, floor_ok, seconds,
                                              lambda item: "/bench/floor/",
                                              lambda client: probes[client], 204)
            submit_cpu.log("submit")
            floor_cpu.log("floor")
            errors += submit_rec.errors + floor_rec.errors
            result["submit_per_s"] = round(len(submitted) / submit_time, 1)
            result["floor_per_s"] = round(len(floor_ok) / floor_time, 1)
            if result["floor_per_s"]:
                result["floor_ratio"] = round(result["submit_per_s"] / result["floor_per_s"], 3)
        # Give the worker a moment to deliver what the last submits wrote.
        time.sleep(3)
    finally:
        server.stop()
        db_pool.shutdown()

    applications, mails, pending = count_outcomes(call, domain)
    expected = bench.journeys + [item["email"] for item in submitted]
    lost = sum(1 for email in expected if not applications.get(email) or not mails.get(email))
    duplicated = sum(1 for email in expected if applications.get(email, 0) > 1 or mails.get(email, 0) > 1)
    stray = set(applications) - set(expected)
    connections.close_all()
    for message in errors[:10]:
        log(f"error: {message}")
    log(f"checked {len(expected)} journeys and submits: {lost} lost, {duplicated} duplicated, "
        f"{len(stray)} submitted without confirmation to the client, {pending} e-mails not yet delivered")
    result.update({"errors": len(errors), "lost": lost, "duplicated": duplicated})
    if own_var_dir and not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result), flush=True)
    return 1 if errors or lost or duplicated else 0


def machine_busy_seconds():
    """CPU time all processes of the machine have used (Linux /proc/stat; else None)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


class CpuMeter:
    """The cores used while it is entered (once or in several spans): app server, outbox
    worker, this load generator, everyone else.

    Other processes on the machine (a test run, say) take CPU from the server and
    make the figures worse; the line says so.
    """

    def __init__(self, server):
        self.server = server
        self.elapsed, self.app, self.worker, self.own, self.machine = 0.0, 0.0, 0.0, 0.0, 0.0
        self.known = True

    def __enter__(self):
        self.before = (self.server.cpu_seconds(), sum(os.times()[:2]), machine_busy_seconds(),
                       time.perf_counter())
        return self

    def __exit__(self, *exc):
        server_before, own_before, machine_before, started = self.before
        self.elapsed += time.perf_counter() - started
        server_used, machine = self.server.cpu_seconds(), machine_busy_seconds()
        self.own += sum(os.times()[:2]) - own_before
        if None in (server_before, server_used, machine_before, machine):
            self.known = False
            return
        worker, app = (after - before for after, before in zip(server_used, server_before, strict=True))
        self.worker += worker
        self.app += app
        self.machine += machine - machine_before

    def log(self, name):
        if not self.known or not self.elapsed:
            return
        others = self.machine - self.worker - self.app - self.own
        log(f"{name}: cores used: app server {self.app / self.elapsed:.2f}, outbox worker "
            f"{self.worker / self.elapsed:.2f}, load generator {self.own / self.elapsed:.2f}, "
            f"other processes (PostgreSQL among them) {max(0.0, others) / self.elapsed:.2f} "
            f"(of {os.cpu_count()})")


@contextmanager
def cpu_report(server, name):
    """Log the cores used during a phase (``CpuMeter``, entered once)."""
    meter = CpuMeter(server)
    with meter:
        yield
    meter.log(name)


def report_latencies(recorder):
    labels = sorted({label for label, _ms in recorder.samples})
    for label in labels:
        values = recorder.latencies(label)
        log(f"  {recorder.name} {label:<22} n={len(values):<6} p50={percentile(values, 50):7.1f} ms"
            f"  p99={percentile(values, 99):7.1f} ms  max={max(values):7.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
