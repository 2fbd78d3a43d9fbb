from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/", views.mail_detail, name="mail_detail"),
    path("<int:pk>/erneut-senden/", views.mail_retry, name="mail_retry"),
]
