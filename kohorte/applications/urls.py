from django.urls import path

from .views import applicant, public

app_name = "applications"
urlpatterns = [
    path("ausschreibungen/", public.call_list, name="call_list"),
    path("ausschreibungen/<slug:slug>/", public.call_detail, name="call_detail"),
    path("ausschreibungen/<slug:slug>/vorlage-freistellung/", public.call_release_template,
         name="call_release_template"),
    path("ausschreibungen/<slug:slug>/bewerben/", applicant.apply_start, name="apply_start"),
    path("bewerbungen/", applicant.my_applications, name="my_applications"),
    path("bewerbungen/<int:pk>/", applicant.application_detail, name="application_detail"),
    path("bewerbungen/<int:pk>/schritt/<slug:step>/", applicant.apply_step, name="apply_step"),
    path("bewerbungen/<int:pk>/pruefen/", applicant.apply_check, name="apply_check"),
    path("bewerbungen/<int:pk>/absenden/", applicant.apply_submit, name="apply_submit"),
    path("bewerbungen/<int:pk>/eingegangen/", applicant.application_submitted,
         name="application_submitted"),
    path("bewerbungen/<int:pk>/zurueckziehen/", applicant.application_withdraw,
         name="application_withdraw"),
    path("bewerbungen/<int:pk>/dokumente/<int:document_pk>/", applicant.document_download,
         name="document_download"),
    path("bewerbungen/<int:pk>/loeschung/", applicant.erasure_request, name="erasure_request"),
    path("meine-daten/", applicant.my_data, name="my_data"),
]
