from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "kohorte.programmes"
    label = "programmes"
