"""The identity app's pages. The sign-in page itself is `login` (config/urls.py)."""

from django.urls import path

from .views import people, sign_in, two_factor

app_name = "identity"

urlpatterns = [
    path("accounts/login/organisation/", sign_in.single_sign_on, name="single_sign_on"),
    path("accounts/login/code/", sign_in.enter_code, name="enter_code"),
    path("account/security/", two_factor.security, name="security"),
    path(
        "account/security/authenticator/",
        two_factor.set_up_authenticator,
        name="set_up_authenticator",
    ),
    path(
        "account/security/authenticator/remove/",
        two_factor.remove_authenticator,
        name="remove_authenticator",
    ),
    path("account/security/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
    path("account/no-role-yet/", people.no_role_yet, name="no_role_yet"),
    path("people/awaiting-a-role/", people.people_awaiting_role, name="people_awaiting_role"),
    path("people/awaiting-a-role/<int:pk>/", people.assign_role, name="assign_role"),
]
