"""Access helpers derived from the permission matrix in docs/permissions.md.

The matrix is parsed once at import; ``can(user, programme, obj, action)`` answers
from it, and views load objects through ``require`` so that a denied case raises
PermissionDenied (403) and a missing one Http404.
"""

from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

MATRIX_FILE = Path(settings.BASE_DIR) / "docs" / "permissions.md"


@cache
def matrix() -> dict[tuple[str, str], frozenset[str]]:
    """{(object, action): roles allowed}, read from the table between the markers."""
    text = MATRIX_FILE.read_text(encoding="utf-8")
    body = text.split("<!-- matrix:start -->", 1)[1].split("<!-- matrix:end -->", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in body.strip().splitlines()
    ]
    header, rows = rows[0], rows[2:]
    roles = header[2:]
    result = {}
    for row in rows:
        if len(row) != len(header) or any(c not in ("yes", "no") for c in row[2:]):
            raise ValueError(f"Malformed permission matrix row: {row}")
        result[(row[0], row[1])] = frozenset(r for r, c in zip(roles, row[2:], strict=True) if c == "yes")
    return result


def roles_of(user, programme) -> set[str]:
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return set()
    cache_attr = "_kohorte_roles"
    roles = getattr(user, cache_attr, None)
    if roles is None:
        roles = {}
        for programme_id, kind in user.roles.values_list("programme_id", "kind"):
            roles.setdefault(programme_id, set()).add(kind)
        setattr(user, cache_attr, roles)
    return roles.get(programme.pk if hasattr(programme, "pk") else programme, set())


def can(user, programme, obj: str, action: str) -> bool:
    allowed = matrix().get((obj, action))
    if allowed is None:
        raise KeyError(f"{obj}.{action} is not in the permission matrix")
    return bool(roles_of(user, programme) & allowed)


def require(user, programme, obj: str, action: str):
    if not can(user, programme, obj, action):
        raise PermissionDenied


def programmes_where(user, obj: str, action: str):
    """Programmes in which ``user`` may do ``action`` on ``obj``."""
    from kohorte.programmes.models import Programme

    allowed = matrix()[(obj, action)]
    if not (user.is_authenticated and user.is_staff):
        return Programme.objects.none()
    return Programme.objects.filter(roles__user=user, roles__kind__in=allowed).distinct()


def staff_required(view):
    """Staff signed in with their second factor; others go to the staff sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_staff and user.is_verified()):
            if user.is_authenticated and not user.is_staff:
                raise PermissionDenied
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    return wrapper


def abilities(user, programme, pairs) -> dict[str, bool]:
    """{"object_action": bool} for a template, from the matrix."""
    return {f"{obj}_{action}": can(user, programme, obj, action) for obj, action in pairs}


def require_found(instance, user, obj: str, action: str, *, programme):
    """404 for a missing object, 403 for a denied one; returns the object.

    ``programme`` is a function giving the object's programme (call.programme, …).
    """
    if instance is None:
        raise Http404
    require(user, programme(instance), obj, action)
    return instance
