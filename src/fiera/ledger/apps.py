from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "fiera.ledger"
    label = "ledger"
    verbose_name = "Ledger"
