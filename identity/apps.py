from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Sign-in and security"

    def ready(self):
        # Connects the security log to Django's, axes' and allauth's signals.
        from . import events  # noqa: F401

        self._replace_allauth_admin()

    @staticmethod
    def _replace_allauth_admin():
        """allauth's own admin pages would let an administrator add providers that our
        sign-in never reads (we keep them in IdentityProvider), or delete someone's
        authenticator without the security log knowing (`manage.py reset_second_factor`
        does that, logged). Only the linked provider accounts stay, read-only."""
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
        from django.contrib import admin

        from common.admin import RecordAdmin

        for model in (EmailAddress, Authenticator, SocialApp, SocialToken, SocialAccount):
            if admin.site.is_registered(model):
                admin.site.unregister(model)

        @admin.register(SocialAccount)
        class LinkedAccountAdmin(RecordAdmin):
            list_display = ["user", "provider", "uid", "date_joined", "last_login"]
            list_filter = ["provider"]
            search_fields = ["user__username", "user__email", "uid"]
            list_select_related = ["user"]
            fields = ["user", "provider", "uid", "date_joined", "last_login"]
            readonly_fields = fields
