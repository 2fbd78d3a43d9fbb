from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kohorte.demo"
    label = "demo"
