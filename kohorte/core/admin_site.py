"""The Django admin of Kohorte: reference data and accounts, behind the staff sign-in.

Staff reach it only signed in with their second factor (the admin's own password form
is replaced by the staff sign-in), and what each person may edit comes from the
permission matrix (``kohorte.core.admin.MatrixAdmin``), not from Django's model
permissions. Loaded from INSTALLED_APPS, so nothing here may import models at
module level.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


def _to_staff_login(request, next_url):
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(next_url, settings.LOGIN_URL)


class KohorteAdminSite(AdminSite):
    site_header = _("Kohorte: reference data and accounts")
    site_title = _("Kohorte administration")
    index_title = _("Reference data and accounts")
    site_url = "/verwaltung/"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_verified())

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # As in the back office: applicants are refused, others sign in as staff.
            if request.user.is_authenticated and not request.user.is_staff:
                raise PermissionDenied
            if not self.has_permission(request):
                return _to_staff_login(request, request.get_full_path())
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        """No password-only form here: the staff sign-in asks for the second factor."""
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        return _to_staff_login(request, next_url)

    def password_change(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("accounts:staff_password_change"))


class KohorteAdminConfig(AdminConfig):
    default_site = "kohorte.core.admin_site.KohorteAdminSite"
