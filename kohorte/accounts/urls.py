from django.urls import path

from . import views, views_staff

app_name = "accounts"
urlpatterns = [
    path("anmelden/", views.login_request, name="login"),
    path("anmelden/gesendet/", views.login_sent, name="login_sent"),
    path("anmelden/link/<str:token>/", views.login_confirm, name="login_confirm"),
    path("abmelden/", views.logout_view, name="logout"),
    path("mitarbeitende/anmelden/", views.staff_login, name="staff_login"),
    path("mitarbeitende/sicherheit/", views_staff.security, name="staff_security"),
    path("mitarbeitende/sicherheit/app/", views_staff.totp_setup, name="staff_totp_setup"),
    path("mitarbeitende/sicherheit/wiederherstellungscodes/", views_staff.recovery_codes,
         name="staff_recovery_codes"),
    path("mitarbeitende/sicherheit/passwort/", views_staff.password_change,
         name="staff_password_change"),
]
