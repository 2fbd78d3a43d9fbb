from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kohorte.notifications"
    label = "notifications"
