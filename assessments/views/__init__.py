from .capture import check, dimension, history, reopen, start, submitted, tasks
from .dashboard import dashboard
from .reports import (
    organisation_page,
    organisation_pdf,
    partnership_csv_export,
    partnership_json_export,
    partnership_page,
    partnership_pdf,
)

__all__ = [
    "check",
    "dashboard",
    "dimension",
    "history",
    "organisation_page",
    "organisation_pdf",
    "partnership_csv_export",
    "partnership_json_export",
    "partnership_page",
    "partnership_pdf",
    "reopen",
    "start",
    "submitted",
    "tasks",
]
