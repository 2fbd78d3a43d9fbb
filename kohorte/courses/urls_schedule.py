"""The course's schedule pages (included by kohorte/courses/urls.py): the staff's cohort,
module, session and material pages, the participants' pages and the calendar feeds."""

from django.urls import path

from .views import materials, participant, schedule

urlpatterns = [
    # Staff
    path("verwaltung/kurse/", schedule.my_courses, name="my_courses"),
    path("verwaltung/kurse/ausschreibung/<int:call_pk>/kohorte-bilden/", schedule.cohort_create,
         name="cohort_create"),
    path("verwaltung/kurse/<int:pk>/", schedule.cohort_detail, name="cohort_detail"),
    path("verwaltung/kurse/<int:pk>/nachruecken/", schedule.cohort_add_accepted,
         name="cohort_add_accepted"),
    path("verwaltung/kurse/<int:pk>/kalender-erneuern/", schedule.cohort_feed_renew,
         name="cohort_feed_renew"),
    path("verwaltung/kurse/teilnahme/<int:pk>/austritt/", schedule.participant_leave,
         name="participant_leave"),
    path("verwaltung/kurse/bausteine/<int:pk>/", schedule.module_detail, name="module_detail"),
    path("verwaltung/kurse/bausteine/<int:pk>/bearbeiten/", schedule.module_edit,
         name="module_edit"),
    path("verwaltung/kurse/bausteine/<int:pk>/termine/neu/", schedule.session_add,
         name="session_add"),
    path("verwaltung/kurse/termine/<int:pk>/bearbeiten/", schedule.session_edit,
         name="session_edit"),
    path("verwaltung/kurse/termine/<int:pk>/entfernen/", schedule.session_remove,
         name="session_remove"),
    path("verwaltung/kurse/bausteine/<int:pk>/material/neu/", materials.material_add,
         name="material_add"),
    path("verwaltung/kurse/material/<int:pk>/entfernen/", materials.material_remove,
         name="material_remove"),
    path("verwaltung/kurse/material/<int:pk>/datei/", materials.material_download_staff,
         name="material_download_staff"),
    # Participants
    path("kurs/", participant.participation_list, name="participation_list"),
    path("kurs/<int:pk>/", participant.participation_detail, name="participation_detail"),
    path("kurs/<int:pk>/kalender-erneuern/", participant.participant_feed_renew,
         name="participant_feed_renew"),
    path("kurs/<int:participant_pk>/material/<int:pk>/", materials.material_download,
         name="material_download"),
    # Calendar feeds: no sign-in, an unguessable address.
    path("kurs/kalender/<str:token>.ics", participant.participant_feed, name="participant_feed"),
    path("kurs/kalender/kohorte/<str:token>.ics", participant.cohort_feed, name="cohort_feed"),
]
