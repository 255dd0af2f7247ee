"""Middleware for every response: never storing signed-in pages, and a 503 (not a
500) while the database is unreachable.

Responses to signed-in people are never stored by browsers or proxies. Pages show
evidence, scores and funding decisions; a shared computer's back button or a caching
proxy must not keep them after someone signs out. So every response to a signed-in
user carries `Cache-Control: no-store` (with Django's other never-cache headers), as
GOV.UK services do. Responses to visitors (the sign-in page, static files, the health
check) are left alone.

While the database cannot be reached, every page that needs it answers 503 with
`Retry-After` and a page saying to try again in a few minutes: the outage is
temporary, and a 500 ("there is a problem with the service") would say otherwise.
`DatabaseUnavailableMiddleware` catches the error wherever a view or its template
meets it (the session and the user are loaded lazily, so a failed session lookup
surfaces there too); `common.views.server_error`, the 500 handler, answers the same
for the rare error raised inside another middleware, where no middleware can catch
it. The 503 page renders from a standalone template with no context processors, so
it needs nothing from the database.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# What Django raises when it cannot connect or the connection broke: a refused or
# timed-out connection, a server shut down mid-request, an unopenable SQLite file.
# OperationalError also covers other passing failures (a lock or statement timeout,
# a deadlock), for which "try again shortly" is the right answer too.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)

# Seconds a client (or a proxy retrying for it) should wait before trying again.
RETRY_AFTER_SECONDS = 30


def service_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without a request, so no context processor runs and
    nothing looks up the session or the user."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never kept by a browser or a proxy: the page must go as soon as the service is back.
    add_never_cache_headers(response)
    response.database_unavailable = True
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            # One line, not a traceback per request: during an outage every request
            # fails the same way; /healthz and the 503 count tell the rest.
            logger.warning("Database unavailable, answered 503 for %s: %s", request.path, exception)
            return service_unavailable_response()
        return None


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            return response  # already never stored; asking who is signed in would fail again
        user = getattr(request, "user", None)
        try:
            signed_in = user is not None and user.is_authenticated
        except DATABASE_UNAVAILABLE_ERRORS:
            # The session could not be read, so it is unknown who this is: never
            # storing the response is the safe side.
            signed_in = True
        if signed_in:
            add_never_cache_headers(response)
        return response
