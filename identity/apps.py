from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Sign-in and security"

    def ready(self):
        # Connects the security log to Django's, axes' and allauth's signals.
        from . import events  # noqa: F401
