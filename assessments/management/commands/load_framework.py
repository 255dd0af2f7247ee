from django.core.management.base import BaseCommand, CommandError

from assessments.framework.loader import (
    DEFAULT_FRAMEWORK_FILE,
    FrameworkFileError,
    load_framework_file,
)


class Command(BaseCommand):
    help = (
        "Load the readiness framework from a YAML file. An unchanged file changes nothing; "
        "a changed file becomes a new framework version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_FRAMEWORK_FILE),
            help="YAML file to load (default: the framework shipped with the app)",
        )

    def handle(self, *args, path, **options):
        try:
            result = load_framework_file(path)
        except FrameworkFileError as exc:
            raise CommandError(str(exc)) from None
        framework = result.framework
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {framework}."))
        else:
            self.stdout.write(f"{framework} is already loaded; nothing changed.")
