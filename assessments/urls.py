from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rounds/<int:round_id>/start/", views.start, name="assessment_start"),
    path("rounds/<int:round_id>/report/", views.partnership_page, name="partnership_report"),
    path(
        "rounds/<int:round_id>/report.csv",
        views.partnership_csv_export,
        name="partnership_report_csv",
    ),
    path(
        "rounds/<int:round_id>/report.json",
        views.partnership_json_export,
        name="partnership_report_json",
    ),
    path("rounds/<int:round_id>/report.pdf", views.partnership_pdf, name="partnership_report_pdf"),
    path("assessments/<int:pk>/", views.tasks, name="assessment_tasks"),
    path("assessments/<int:pk>/report.pdf", views.organisation_pdf, name="organisation_report_pdf"),
    path("assessments/<int:pk>/report/", views.organisation_page, name="organisation_report"),
    path("assessments/<int:pk>/check/", views.check, name="assessment_check"),
    path("assessments/<int:pk>/submitted/", views.submitted, name="assessment_submitted"),
    path("assessments/<int:pk>/reopen/", views.reopen, name="assessment_reopen"),
    path(
        "assessments/<int:pk>/dimensions/<slug:code>/",
        views.dimension,
        name="assessment_dimension",
    ),
    path(
        "assessments/<int:pk>/dimensions/<slug:code>/history/",
        views.history,
        name="assessment_history",
    ),
]
