from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the service: backup and restore, demo data, the health check. No
    models of its own; it works on the domain apps' models."""

    name = "ops"
    verbose_name = "Operations"
