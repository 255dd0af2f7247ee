from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from partnerships import funding_views
from partnerships import views as partnership_views
from partnerships.forms import SignInForm

admin.site.site_header = "Partnership Readiness administration"
admin.site.site_title = "Partnership Readiness admin"
admin.site.index_title = "Manage partner organisations, partnerships, people and the framework"

urlpatterns = [
    path("healthz", partnership_views.healthz, name="healthz"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Invited people and people who forgot their password choose one here.
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("partnerships/<int:pk>/funding/", funding_views.funding, name="partnership_funding"),
    path(
        "partnerships/<int:pk>/funding/sign/",
        funding_views.sign,
        name="partnership_funding_sign",
    ),
    path(
        "partnerships/<int:pk>/funding/edit/",
        funding_views.edit,
        name="partnership_funding_edit",
    ),
    path("admin/", admin.site.urls),
    path("", include("assessments.urls")),
]
