"""When a password sign-in needs a second factor, and the session flags that save a
query on every page.

Administrators and executives (MFA_REQUIRED_FOR) who sign in with a password must
have an authenticator app: without one, every page sends them to set one up first;
with one, the sign-in asks for its code (`views.sign_in.enter_code`). People who
signed in through their organisation's identity provider are not asked: the provider
applies its own MFA.
"""

from allauth.mfa.models import Authenticator

from .access import mfa_required
from .adapters import OIDC_METHOD
from .events import SIGN_IN_METHOD

# Set once this session is known to need nothing more (an authenticator exists, or
# single sign-on was used), so the check costs no query afterwards.
SECOND_FACTOR_SETTLED = "second_factor_settled"


def has_authenticator_app(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def must_set_up_authenticator(request) -> bool:
    user = request.user
    if not user.is_authenticated or request.session.get(SECOND_FACTOR_SETTLED):
        return False
    if request.session.get(SIGN_IN_METHOD) == OIDC_METHOD or not mfa_required(user):
        return False
    if has_authenticator_app(user):
        request.session[SECOND_FACTOR_SETTLED] = True
        return False
    return True
