from django.apps import AppConfig
from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(sender, using, verbosity=1, **kwargs):
    """With CACHE_URL=db:// the cache is a table Django makes with `createcachetable`,
    not a migration; making it after every `migrate` means a deployment cannot forget
    it (the command does nothing when the table exists)."""
    if any(
        cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        for cache in settings.CACHES.values()
    ):
        call_command("createcachetable", database=using, verbosity=verbosity)


class CommonConfig(AppConfig):
    """Plumbing shared by the apps: GOV.UK form base, admin bases, spreadsheet-safe
    CSV, organisation scoping, template tags, and the middleware and handlers for
    database outages. No models."""

    name = "common"
    verbose_name = "Shared plumbing"

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self)
