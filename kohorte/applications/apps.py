from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "kohorte.applications"
    label = "applications"
