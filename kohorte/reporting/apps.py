from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "kohorte.reporting"
    label = "reporting"
