from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kohorte.core"
    label = "core"
