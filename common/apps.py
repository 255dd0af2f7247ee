from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Plumbing shared by the apps: GOV.UK form base, admin bases, spreadsheet-safe
    CSV, organisation scoping and template tags. No models."""

    name = "common"
    verbose_name = "Shared plumbing"
