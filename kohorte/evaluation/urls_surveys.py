"""The evaluation's surveys pages (included by kohorte/evaluation/urls.py): the builder
and the cohort's surveys for staff under /verwaltung/evaluation/, the survey page for
participants under /befragung/."""

from django.urls import path

from .views import builder, respond, surveys

urlpatterns = [
    # Staff: instruments (the builder)
    path("verwaltung/evaluation/programme/<slug:slug>/instrumente/", builder.instrument_list,
         name="instrument_list"),
    path("verwaltung/evaluation/instrumente/<int:pk>/", builder.instrument_detail,
         name="instrument_detail"),
    path("verwaltung/evaluation/instrumente/<int:pk>/neue-version/",
         builder.instrument_new_version, name="instrument_new_version"),
    path("verwaltung/evaluation/instrumente/<int:pk>/dimensionen/neu/", builder.group_add,
         name="group_add"),
    path("verwaltung/evaluation/instrumente/<int:pk>/dimensionen/<int:group_pk>/",
         builder.group_edit, name="group_edit"),
    path("verwaltung/evaluation/instrumente/<int:pk>/dimensionen/<int:group_pk>/verschieben/",
         builder.group_move, name="group_move"),
    path("verwaltung/evaluation/instrumente/<int:pk>/dimensionen/<int:group_pk>/entfernen/",
         builder.group_remove, name="group_remove"),
    path("verwaltung/evaluation/instrumente/<int:pk>/fragen/neu/", builder.item_edit,
         name="item_add"),
    path("verwaltung/evaluation/instrumente/<int:pk>/fragen/<int:item_pk>/", builder.item_edit,
         name="item_edit"),
    path("verwaltung/evaluation/instrumente/<int:pk>/fragen/<int:item_pk>/verschieben/",
         builder.item_move, name="item_move"),
    path("verwaltung/evaluation/instrumente/<int:pk>/fragen/<int:item_pk>/entfernen/",
         builder.item_remove, name="item_remove"),
    # Staff: a cohort's surveys
    path("verwaltung/evaluation/kurse/<int:pk>/befragungen/", surveys.survey_list,
         name="survey_list"),
    path("verwaltung/evaluation/kurse/<int:pk>/befragungen/neu/", surveys.survey_create,
         name="survey_create"),
    path("verwaltung/evaluation/kurse/<int:pk>/schluessel/", surveys.keys_destroy,
         name="keys_destroy"),
    path("verwaltung/evaluation/befragungen/<int:pk>/", surveys.survey_detail,
         name="survey_detail"),
    path("verwaltung/evaluation/befragungen/<int:pk>/oeffnen/", surveys.survey_open,
         name="survey_open"),
    path("verwaltung/evaluation/befragungen/<int:pk>/zeiten/", surveys.survey_times,
         name="survey_times"),
    path("verwaltung/evaluation/befragungen/<int:pk>/schliessen/", surveys.survey_close,
         name="survey_close"),
    path("verwaltung/evaluation/befragungen/<int:pk>/erinnern/", surveys.survey_remind,
         name="survey_remind"),
    # Participants
    path("befragung/nachbefragung/<int:pk>/", respond.follow_up_consent,
         name="follow_up_consent"),
    path("befragung/<str:token>/", respond.survey_page, name="survey_page"),
]
