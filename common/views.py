"""Error handlers shared by every app."""

import sys

from django.views import defaults

from .middleware import DATABASE_UNAVAILABLE_ERRORS, service_unavailable_response


def server_error(request):
    """The 500 handler (`handler500` in config/urls.py). A database outage met inside a
    middleware, where DatabaseUnavailableMiddleware cannot catch it, reaches here: it
    still gets the 503 page. Anything else gets the usual 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE_ERRORS):
        return service_unavailable_response()
    return defaults.server_error(request)
