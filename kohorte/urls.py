from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("kohorte.core.urls")),
    path("", include("kohorte.applications.urls")),
    path("konto/", include("kohorte.accounts.urls")),
    path("verwaltung/", include("kohorte.reporting.urls")),
    path("verwaltung/", include("kohorte.applications.urls_staff")),
    path("verwaltung/postausgang/", include("kohorte.notifications.urls")),
    path("", include("kohorte.selection.urls_reviews")),
    path("", include("kohorte.selection.urls_selection")),
    path("", include("kohorte.courses.urls")),
    path("", include("kohorte.evaluation.urls")),
    path("verwaltung/haushalt/", include("kohorte.budget.urls")),
    path("verwaltung/protokoll/", include("kohorte.core.urls_staff")),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.KOHORTE_BENCH:
    from kohorte.core import views_bench

    # Routed as early as the submit it is compared with (the applicant's pages come
    # second): last, every request walked all the patterns before it.
    urlpatterns.insert(1, path("bench/floor/", views_bench.floor, name="bench_floor"))
