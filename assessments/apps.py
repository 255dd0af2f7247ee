from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Framework and assessments"

    def ready(self):
        from partnerships.signals import funding_changed

        from .reporting.pdf_queue import queue_partnership

        # Reports show the funding formula and its sign-offs: prepare their PDFs again.
        funding_changed.connect(
            lambda sender, partnership, **kwargs: queue_partnership(partnership.pk),
            weak=False,
            dispatch_uid="assessments.pdfs.funding_changed",
        )
