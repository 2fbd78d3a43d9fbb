"""The background worker: delivers the outbox and runs the scheduled jobs.

Jobs are named in settings.KOHORTE_SCHEDULED_JOBS as (dotted path, interval seconds),
so the worker knows no app's internals.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from kohorte.notifications.services import outbox_deliver_due

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver e-mails from the outbox and run scheduled jobs (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and stop.")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, once=False, interval=1.0, **options):
        self._stop = False
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        jobs = [(import_string(path), every) for path, every in settings.KOHORTE_SCHEDULED_JOBS]
        last_run = {}
        while not self._stop:
            close_old_connections()
            try:
                delivered, failed = outbox_deliver_due()
            except Exception:
                # A broken round must not stop the worker: the mails stay in the outbox.
                log.exception("outbox delivery failed")
                delivered = failed = 0
            if delivered or failed:
                self.stdout.write(f"outbox: {delivered} delivered, {failed} failed")
            now = time.monotonic()
            for job, every in jobs:
                if once or now - last_run.get(job, -every) >= every:
                    last_run[job] = now
                    try:
                        result = job(now=timezone.now())
                    except Exception:
                        log.exception("scheduled job %s failed", job.__name__)
                        self.stderr.write(f"{job.__module__}.{job.__name__}: failed")
                        continue
                    self.stdout.write(f"{job.__module__}.{job.__name__}: {result}")
            if once:
                break
            time.sleep(interval)

    def _request_stop(self, signum, frame):
        self._stop = True
