"""The partnerships app's pages: the funding formula, its sign-off and new versions."""

from django.urls import path

from .views import funding

app_name = "partnerships"

urlpatterns = [
    path("partnerships/<int:pk>/funding/", funding.funding, name="funding"),
    path("partnerships/<int:pk>/funding/sign/", funding.sign, name="funding_sign"),
    path("partnerships/<int:pk>/funding/edit/", funding.edit, name="funding_edit"),
]
