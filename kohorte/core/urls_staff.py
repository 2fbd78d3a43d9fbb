from django.urls import path

from . import views_staff

app_name = "audit"
urlpatterns = [
    path("", views_staff.audit_index, name="index"),
    path("<slug:slug>/", views_staff.audit_log, name="log"),
]
