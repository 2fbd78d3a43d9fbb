from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("kohorte.core.urls")),
    path("", include("kohorte.applications.urls")),
    path("konto/", include("kohorte.accounts.urls")),
    path("verwaltung/", include("kohorte.reporting.urls")),
    path("verwaltung/", include("kohorte.applications.urls_staff")),
    path("verwaltung/postausgang/", include("kohorte.notifications.urls")),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
