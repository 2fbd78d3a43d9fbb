from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("anmelden/", views.login_request, name="login"),
    path("anmelden/gesendet/", views.login_sent, name="login_sent"),
    path("anmelden/link/<str:token>/", views.login_confirm, name="login_confirm"),
    path("abmelden/", views.logout_view, name="logout"),
    path("mitarbeitende/anmelden/", views.staff_login, name="staff_login"),
]
