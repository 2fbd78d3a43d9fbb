from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "kohorte.selection"
    label = "selection"
