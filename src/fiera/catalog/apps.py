from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "fiera.catalog"
    label = "catalog"
    verbose_name = "Catalog"
