from .capture import check, dimension, history, reopen, start, submitted, tasks
from .dashboard import dashboard
from .reports import (
    organisation_page,
    partnership_csv_export,
    partnership_json_export,
    partnership_page,
)

__all__ = [
    "check",
    "dashboard",
    "dimension",
    "history",
    "organisation_page",
    "partnership_csv_export",
    "partnership_json_export",
    "partnership_page",
    "reopen",
    "start",
    "submitted",
    "tasks",
]
