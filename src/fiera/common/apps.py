from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "fiera.common"
    label = "common"
    verbose_name = "Common"
