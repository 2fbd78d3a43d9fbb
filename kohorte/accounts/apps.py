from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kohorte.accounts"
    label = "accounts"
