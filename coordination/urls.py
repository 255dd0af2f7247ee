"""A coordinator's pages, under /coordinate/."""

from django.urls import path

from .views import bulk, members, overview, people, rounds

app_name = "coordination"

urlpatterns = [
    path("coordinate/", overview.partnerships, name="partnerships"),
    path("coordinate/<int:pk>/", overview.partnership, name="partnership"),
    path("coordinate/<int:pk>/members/find/", members.find_organisation, name="find_organisation"),
    path(
        "coordinate/<int:pk>/members/add/<int:organisation_id>/",
        members.add_existing,
        name="add_member",
    ),
    path("coordinate/<int:pk>/members/new/", members.add_new, name="new_organisation"),
    path(
        "coordinate/<int:pk>/members/<int:membership_id>/end/",
        members.end,
        name="end_membership",
    ),
    path("coordinate/<int:pk>/members/lead/", members.lead, name="lead"),
    path("coordinate/<int:pk>/rounds/open/", rounds.open_new, name="open_round"),
    path("coordinate/<int:pk>/rounds/<int:round_id>/close/", rounds.close, name="close_round"),
    path(
        "coordinate/<int:pk>/assessments/<int:assessment_id>/reopen/",
        rounds.reopen,
        name="reopen",
    ),
    path("coordinate/<int:pk>/people/invite/", people.invite, name="invite"),
    path("coordinate/<int:pk>/people/invite-many/", bulk.upload, name="invite_many"),
    path(
        "coordinate/<int:pk>/people/invite-many/confirm/",
        bulk.confirm,
        name="invite_many_confirm",
    ),
    path("coordinate/<int:pk>/people/<int:person_id>/resend/", people.resend, name="resend"),
    path("coordinate/<int:pk>/people/<int:person_id>/cancel/", people.cancel, name="cancel"),
    path(
        "coordinate/<int:pk>/people/<int:person_id>/deactivate/",
        people.deactivate,
        name="deactivate",
    ),
    path(
        "coordinate/<int:pk>/coordinators/add/",
        people.add_coordinator_page,
        name="add_coordinator",
    ),
]
