from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fiera.web"
    label = "web"
    verbose_name = "Web"
