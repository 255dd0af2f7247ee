"""Sign-in throttling with a different limit for each thing counted.

django-axes counts failed sign-ins for each entry of AXES_LOCKOUT_PARAMETERS (an
account from one address, an address, an account from anywhere) but compares every
count with the one AXES_FAILURE_LIMIT; the limit may be a callable, but it is not told
which count it is judging. This handler gives each entry its own limit, from
SIGN_IN_FAILURE_LIMITS in the settings, by scaling each count to AXES_FAILURE_LIMIT:
a count reaches the shared limit exactly when it reaches its own.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class PerParameterLimitsHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The count nearest its own limit, scaled to AXES_FAILURE_LIMIT; axes pauses
        signing in when this reaches AXES_FAILURE_LIMIT."""
        shared_limit = get_failure_limit(request, credentials)
        limits = [limit for _parameters, limit in settings.SIGN_IN_FAILURE_LIMITS]
        attempts_list = self.get_user_attempts(request, credentials)  # in the same order
        scaled = 0
        for attempts, limit in zip(attempts_list, limits, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            scaled = max(scaled, failures * shared_limit // limit)
        return scaled

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in, forget only this account's failures from this
        address. Axes would also forget the account's failures from everywhere and the
        address's failures for every account, so an owner signing in would hand an
        attacker elsewhere a fresh set of guesses."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
