"""The practice project's and the completion's pages (included by kohorte/courses/urls.py)."""

from django.urls import path

from .views import completion, projects

urlpatterns = [
    # Participants
    path("kurs/<int:pk>/projekt/", projects.project_page, name="project"),
    path("kurs/<int:pk>/projekt/<slug:part>/", projects.project_edit, name="project_edit"),
    path("kurs/<int:pk>/projekt/<slug:part>/pruefen/", projects.project_check,
         name="project_check"),
    path("kurs/<int:pk>/projekt/<slug:part>/datei/", projects.project_file, name="project_file"),
    path("kurs/<int:pk>/projekt/fassungen/<int:version_pk>/datei/",
         projects.project_version_file, name="project_version_file"),
    # Staff: projects
    path("verwaltung/kurse/<int:pk>/projekte/", projects.projects_overview, name="projects"),
    path("verwaltung/kurse/<int:pk>/projekte/fristen/", projects.project_dates,
         name="project_dates"),
    path("verwaltung/kurse/<int:pk>/projekte/<int:participant_pk>/", projects.project_detail,
         name="project_detail"),
    path("verwaltung/kurse/<int:pk>/projekte/<int:participant_pk>/rueckmeldung/",
         projects.project_feedback, name="project_feedback"),
    path("verwaltung/kurse/<int:pk>/projekte/<int:participant_pk>/<slug:part>/datei/",
         projects.project_file_staff, name="project_file_staff"),
    path("verwaltung/kurse/<int:pk>/projekte/<int:participant_pk>/fassungen/<int:version_pk>/"
         "datei/", projects.project_version_file_staff, name="project_version_file_staff"),
    # Staff: completion
    path("verwaltung/kurse/<int:pk>/abschluss/", completion.completion_overview,
         name="completion"),
    path("verwaltung/kurse/<int:pk>/abschluss/regel/", completion.completion_rule,
         name="completion_rule"),
    path("verwaltung/kurse/<int:pk>/abschluss/alle/", completion.completion_confirm_all,
         name="completion_confirm_all"),
    path("verwaltung/kurse/<int:pk>/abschluss/<int:participant_pk>/",
         completion.completion_confirm, name="completion_confirm"),
    path("verwaltung/kurse/<int:pk>/abschluss/<int:participant_pk>/zuruecknehmen/",
         completion.completion_undo, name="completion_undo"),
]
