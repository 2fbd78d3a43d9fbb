"""Django's model backend, with the signed-in person read with the session.

Every request of a signed-in person loads the user row through the backend named in
the session. The session's read (``core.sessions``) has read the row already, with
whether the person takes part in a course, which the page header asks on every page
(``User.has_course``): the backend takes it from there. Otherwise (a session saved
before sessions kept the person's key) it reads the row by a query built once per
process (``core.prepared``). The rest (passwords, permissions,
``user_can_authenticate``) is Django's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from kohorte.core.prepared import Prepared, columns, instances
from kohorte.core.sessions import person_read


def _user_query(pk):
    from kohorte.courses.models import Participant

    User = get_user_model()
    return (User.objects.filter(pk=pk)
            .annotate(_has_course=Exists(Participant.objects.filter(user=OuterRef("pk"))))
            .values_list(*columns(User), "_has_course").order_by())


_USER = Prepared(_user_query, pk=int)


def _user(values, has_course):
    (user,) = instances(values, get_user_model())
    user.__dict__["has_course"] = has_course
    return user


def user_by_id(pk):
    """The user with this primary key and whether they take part in a course, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    rows = _USER.rows(pk=pk)
    if not rows:
        return None
    *values, has_course = rows[0]
    return _user(values, has_course)


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        read = person_read.get()
        person_read.set(None)  # taken once
        if read is not None and str(read[0]) == str(user_id):
            user = _user(read[1], read[2])
        else:
            user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


# The dotted path login() stores in the session.
USER_BACKEND = f"{UserBackend.__module__}.{UserBackend.__qualname__}"
