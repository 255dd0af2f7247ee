from .capture import check, dimension, history, reopen, start, submitted, tasks
from .dashboard import dashboard

__all__ = ["check", "dashboard", "dimension", "history", "reopen", "start", "submitted", "tasks"]
