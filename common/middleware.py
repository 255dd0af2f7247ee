"""Responses to signed-in people are never stored by browsers or proxies.

Pages show evidence, scores and funding decisions; a shared computer's back button or
a caching proxy must not keep them after someone signs out. So every response to a
signed-in user carries `Cache-Control: no-store` (with Django's other never-cache
headers), as GOV.UK services do. Responses to visitors (the sign-in page, static
files, the health check) are left alone."""

from django.utils.cache import add_never_cache_headers


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
