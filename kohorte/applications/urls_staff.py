from django.urls import path

from .views import staff

app_name = "staff_applications"
urlpatterns = [
    path("ausschreibungen/<int:pk>/", staff.call_detail, name="call_detail"),
    path("ausschreibungen/<int:pk>/veroeffentlichen/", staff.call_publish, name="call_publish"),
    path("ausschreibungen/<int:pk>/schliessen/", staff.call_close, name="call_close"),
    path("ausschreibungen/<int:pk>/bewerbungen/", staff.application_list,
         name="application_list"),
    path("ausschreibungen/<int:pk>/bewerbungen/export.<str:fmt>", staff.application_export,
         name="application_export"),
    path("bewerbungen/<int:pk>/", staff.application_detail, name="application_detail"),
    path("bewerbungen/<int:pk>/eignung/", staff.eligibility_override,
         name="eligibility_override"),
    path("bewerbungen/<int:pk>/dokumente/<int:document_pk>/", staff.document_download,
         name="document_download"),
    path("bewerbungen/<int:pk>/loeschen/", staff.application_erase_view,
         name="application_erase"),
]
