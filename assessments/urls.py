"""The assessments app's pages: the dashboard, capture (start, task list, dimension,
check answers, submit, history, reopen), reporting (pages, CSV, JSON, PDF) and the
action plan."""

from django.urls import path

from .actions import views as actions
from .capture import views as capture
from .dashboard import views as dashboard
from .insights import views as insights
from .reporting import views as reporting

app_name = "assessments"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Capture
    path("rounds/<int:round_id>/start/", capture.start, name="start"),
    path("assessments/<int:pk>/", capture.tasks, name="tasks"),
    path("assessments/<int:pk>/dimensions/<slug:code>/", capture.dimension, name="dimension"),
    path("assessments/<int:pk>/dimensions/<slug:code>/history/", capture.history, name="history"),
    path("assessments/<int:pk>/check/", capture.check, name="check"),
    path("assessments/<int:pk>/submitted/", capture.submitted, name="submitted"),
    path("assessments/<int:pk>/reopen/", capture.reopen, name="reopen"),
    # Reporting
    path("rounds/<int:round_id>/report/", reporting.partnership_page, name="partnership_report"),
    path(
        "rounds/<int:round_id>/report.csv",
        reporting.partnership_csv_export,
        name="partnership_report_csv",
    ),
    path(
        "rounds/<int:round_id>/report.json",
        reporting.partnership_json_export,
        name="partnership_report_json",
    ),
    path(
        "rounds/<int:round_id>/report.pdf", reporting.partnership_pdf, name="partnership_report_pdf"
    ),
    path("assessments/<int:pk>/report/", reporting.organisation_page, name="organisation_report"),
    path(
        "assessments/<int:pk>/report.pdf",
        reporting.organisation_pdf,
        name="organisation_report_pdf",
    ),
    # Action plan
    path("partnerships/<int:partnership_id>/actions/", actions.plan, name="action_plan"),
    path("partnerships/<int:partnership_id>/actions.csv", actions.plan_csv, name="action_plan_csv"),
    path("rounds/<int:round_id>/actions/new/", actions.new, name="new_action"),
    path(
        "rounds/<int:round_id>/actions.csv", reporting.round_actions_csv, name="round_actions_csv"
    ),
    path("actions/<int:pk>/", actions.detail, name="action"),
    # Insights
    path("rounds/<int:round_id>/what-if/", insights.what_if, name="what_if"),
    path("organisation/score-sharing/", insights.score_sharing, name="score_sharing"),
]
