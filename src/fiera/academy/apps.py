from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "fiera.academy"
    label = "academy"
    verbose_name = _("Academy")

    def ready(self) -> None:
        # --- certificates ---
        # academy.exam.passed -> the certificate is issued (outbox subscriber).
        from fiera.academy.certificates import register_subscribers

        register_subscribers()
