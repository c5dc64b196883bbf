from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fiera.accounts"
    label = "accounts"
    verbose_name = "Accounts"
