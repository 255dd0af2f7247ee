from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from identity.provider import PROVIDER_ID
from identity.views import oidc
from identity.views.sign_in import SignInView
from partnerships.forms import ChoosePasswordForm, ResetPasswordForm

admin.site.site_header = "Partnership Readiness administration"
admin.site.site_title = "Partnership Readiness admin"
admin.site.index_title = "Manage partner organisations, partnerships, people and the framework"

# A database outage met inside a middleware still gets the 503 page, not the 500 one.
handler500 = "common.views.server_error"

accounts = [
    path("login/", SignInView.as_view(), name="login"),
    # The redirect URI to register with each organisation's identity provider.
    path(
        "oidc/<slug:provider_id>/login/callback/",
        oidc.callback,
        name=f"{PROVIDER_ID}_callback",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Invited people and people who forgot their password choose one here.
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=ResetPasswordForm),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=ChoosePasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", include("ops.urls")),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("accounts/", include(accounts)),
    path("admin/", admin.site.urls),
    path("", include("identity.urls")),
    path("", include("coordination.urls")),
    path("", include("partnerships.urls")),
    path("", include("notifications.urls")),
    path("", include("assessments.urls")),
]
