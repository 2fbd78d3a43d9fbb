"""The course's certificates pages (included by kohorte/courses/urls.py)."""

from django.urls import path

from .views import certificates as views

STAFF = "verwaltung/kurse/<int:pk>/zertifikate/"

urlpatterns = [
    path(STAFF, views.cohort_certificates, name="cohort_certificates"),
    path(STAFF + "einstellungen/", views.certificate_settings, name="certificate_settings"),
    path(STAFF + "unterzeichnende/", views.signatory_add, name="certificate_signatory_add"),
    path(STAFF + "unterzeichnende/<int:signatory_pk>/entfernen/", views.signatory_remove,
         name="certificate_signatory_remove"),
    path(STAFF + "ausstellen/<int:participant_pk>/", views.certificate_issue,
         name="certificate_issue"),
    path(STAFF + "alle-ausstellen/", views.certificate_batch_start,
         name="certificate_batch_start"),
    path(STAFF + "stapel/<int:batch_pk>/", views.certificate_batch, name="certificate_batch"),
    path(STAFF + "stapel/<int:batch_pk>/zip/", views.certificate_batch_zip,
         name="certificate_batch_zip"),
    path(STAFF + "<int:certificate_pk>/pdf/", views.certificate_download,
         name="certificate_download"),
    path(STAFF + "<int:certificate_pk>/widerrufen/", views.certificate_revoke,
         name="certificate_revoke"),
    path("kurs/<int:pk>/zertifikat/", views.participant_certificate,
         name="participant_certificate"),
    path("kurs/<int:pk>/zertifikat/pdf/", views.participant_certificate_pdf,
         name="participant_certificate_pdf"),
    path("zertifikate/pruefen/", views.certificate_check, name="certificate_check"),
    path("zertifikate/<str:code>/", views.certificate_public, name="certificate_public"),
]
