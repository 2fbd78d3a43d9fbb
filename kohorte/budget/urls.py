"""The budget's pages, under /verwaltung/haushalt/."""

from django.urls import path

from . import views

app_name = "budget"
urlpatterns = [
    path("<slug:slug>/", views.programme_budget, name="programme"),
    path("<slug:slug>/zeitraeume/neu/", views.period_create, name="period_create"),
    path("zeitraum/<int:pk>/", views.period_overview, name="overview"),
    path("zeitraum/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("zeitraum/<int:pk>/plan/<int:number>/", views.plan_version_detail, name="plan_version"),
    path("zeitraum/<int:pk>/zustimmungen/neu/", views.consent_create, name="consent_create"),
    path("zeitraum/<int:pk>/buchungen/", views.booking_list, name="booking_list"),
    path("zeitraum/<int:pk>/buchungen/neu/", views.booking_create, name="booking_create"),
    path("zeitraum/<int:pk>/import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/verwerfen/", views.import_discard, name="import_discard"),
    path("buchung/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("buchung/<int:pk>/bearbeiten/", views.booking_edit, name="booking_edit"),
    path("buchung/<int:pk>/verwerfen/", views.booking_discard, name="booking_discard"),
    path("buchung/<int:pk>/freigeben/", views.booking_approve, name="booking_approve"),
    path("buchung/<int:pk>/storno/", views.booking_reverse, name="booking_reverse"),
    path("buchung/<int:pk>/beleg/", views.receipt_download, name="receipt_download"),
]
