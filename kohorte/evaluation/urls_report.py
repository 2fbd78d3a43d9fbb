"""The evaluation's report pages (included by kohorte/evaluation/urls.py)."""

from django.urls import path

from .views import report as views

urlpatterns = [
    path("verwaltung/evaluation/kohorten/<int:pk>/bericht/", views.cohort_report,
         name="report_cohort"),
    path("verwaltung/evaluation/kohorten/<int:pk>/bericht.pdf", views.cohort_report_pdf,
         name="report_cohort_pdf"),
    path("verwaltung/evaluation/kohorten/<int:pk>/daten.zip", views.cohort_data,
         name="report_cohort_data"),
    path("verwaltung/evaluation/frageboegen/<int:pk>/bericht/", views.pooled_report,
         name="report_pooled"),
    path("verwaltung/evaluation/frageboegen/<int:pk>/bericht.pdf", views.pooled_report_pdf,
         name="report_pooled_pdf"),
    path("verwaltung/evaluation/frageboegen/<int:pk>/daten.zip", views.pooled_data,
         name="report_pooled_data"),
    path("verwaltung/evaluation/bausteine/<int:pk>/rueckmeldungen/", views.module_feedback,
         name="report_module_feedback"),
]
