"""Database sessions that are read together with the signed-in person.

Every request with a session cookie reads its session row, and every request of a
signed-in person then reads the person's row (through the auth backend): two round
trips to the database on nearly every page. The session table here
(``core.Session``) keeps the person's key in a column of its own, written whenever
the session is saved, so one query reads the session, the person and whether the
person takes part in a course (``User.has_course``). The auth backend
(``accounts.backends.UserBackend``) takes the person from that read instead of asking
again; the session's checks (Django's: the backend named, the session hash) stay as
they are. A session without the column (saved before it existed) reads the person
as before.

The query is built once per process (``core.prepared``) and the expiry is compared in
Python rather than in SQL (a date cannot be a marker): an expired row is treated as
missing, as Django does. Writing, creating and deleting are Django's.
"""

from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .prepared import Prepared, columns

# The person read with this request's session: (user id, the user row's values by
# column, has_course), or None. Set by every read of a session, taken (and cleared)
# by the auth backend; a request reads its session before it asks for its person.
person_read = ContextVar("kohorte_session_person", default=None)


def _user_columns():
    from django.contrib.auth import get_user_model

    return columns(get_user_model())


def _user_pk_index():
    from django.contrib.auth import get_user_model

    return _user_columns().index(get_user_model()._meta.pk.attname)


def _row_query(key):
    from kohorte.courses.models import Participant

    from .models import Session

    return (Session.objects.filter(session_key=key)
            .annotate(_has_course=Exists(Participant.objects.filter(user=OuterRef("user_id"))))
            .values_list("session_data", "expire_date", "user_id",
                         *(f"user__{name}" for name in _user_columns()), "_has_course")
            .order_by())


_ROW = Prepared(_row_query, key=str)


class SessionStore(DatabaseSessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        person_read.set(None)  # a new request's session: nothing read for it yet

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = int(user_id) if user_id and str(user_id).isdigit() else None
        return session

    def _get_session_from_db(self):
        person_read.set(None)
        key = self.session_key
        rows = _ROW.rows(key=key) if key else []
        if not rows or rows[0][1] <= timezone.now():
            self._session_key = None
            return None
        data, expire_date, user_id, *user, has_course = rows[0]
        if user_id is not None and user[_user_pk_index()] is not None:  # None: gone
            person_read.set((user_id, user, bool(has_course)))
        return self.model(session_key=key, session_data=data, expire_date=expire_date,
                          user_id=user_id)

    def exists(self, session_key):
        return bool(session_key) and _ROW.exists(key=session_key)
