"""Django's database sessions, read by a query built once per process.

Every request with a session cookie reads its row; ``db.SessionStore`` builds that
query anew each time. Here it is built once (``core.prepared``) and the expiry is
compared in Python rather than in SQL (a date cannot be a marker): an expired row is
treated as missing, as Django does. Writing, creating and deleting are Django's.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import Prepared

_ROW = Prepared(lambda key: Session.objects.filter(session_key=key)
                .values_list("session_data", "expire_date").order_by(), key=str)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        rows = _ROW.rows(key=key) if key else []
        if rows and rows[0][1] > timezone.now():
            return Session(session_key=key, session_data=rows[0][0], expire_date=rows[0][1])
        self._session_key = None
        return None

    def exists(self, session_key):
        return bool(session_key) and _ROW.exists(key=session_key)
