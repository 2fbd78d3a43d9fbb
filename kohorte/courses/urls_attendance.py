"""The course's attendance pages (included by kohorte/courses/urls.py)."""

from django.urls import path

from .views import attendance as views

urlpatterns = [
    path("verwaltung/kurse/<int:pk>/anwesenheit/", views.attendance_overview,
         name="attendance_overview"),
    path("verwaltung/kurse/sitzungen/<int:pk>/anwesenheit/", views.session_attendance,
         name="session_attendance"),
    path("verwaltung/kurse/sitzungen/<int:pk>/anwesenheitsliste.pdf",
         views.session_attendance_pdf, name="session_attendance_pdf"),
    path("verwaltung/kurse/sitzungen/<int:pk>/eincheck-code/", views.session_checkin_code,
         name="session_checkin_code"),
    path("verwaltung/kurse/sitzungen/<int:pk>/anwesenheit/<int:participant_pk>/ersatzleistung/",
         views.attendance_makeup, name="attendance_makeup"),
    path("kurs/einchecken/<int:pk>/", views.checkin_typed, name="checkin_typed"),
    path("kurs/einchecken/<int:pk>/<str:code>/", views.checkin_page, name="checkin"),
]
