"""The OpenID Connect provider class that allauth uses for organisations' identity
providers: allauth's own, with two checks made stricter.

- A nonce is sent with every authorisation request and must come back in the ID token
  (checked in `identity.adapters.SocialAccountAdapter.pre_social_login`, where the
  login's state is at hand), so an ID token cannot be replayed into another sign-in.
- The ID token's signature is always checked against the provider's published keys.
  allauth skips that when the token came straight from the token endpoint over TLS
  (which the specification allows); checking costs one cached request and also covers
  a misconfigured or plain-HTTP endpoint.

Issuer, audience and expiry are checked by allauth, PKCE (S256) and state too
(`SOCIALACCOUNT_PROVIDERS` in the settings turns PKCE on).
"""

import secrets

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.urls import reverse

PROVIDER_ID = "organisation_oidc"


class OrganisationOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise OAuth2Error("The provider sent no ID token")
        return super().complete_login(request, app, token, **kwargs)

    def _decode_id_token(self, app, id_token: str) -> dict:
        try:
            return jwtkit.verify_and_decode(
                credential=id_token,
                keys_url=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"],
                audience=app.client_id,
                lookup_kid=jwtkit.lookup_kid_jwk,
                verify_signature=True,
            )
        except (TypeError, ValueError, KeyError) as error:
            # A token whose header names an algorithm that does not fit the provider's
            # key (HS256 with an RSA key, say) fails inside PyJWT with these, which
            # allauth does not catch: it is a refused token, not a server error.
            raise OAuth2Error("Invalid id_token") from error

    def get_callback_url(self, request, app):
        url = reverse(f"{PROVIDER_ID}_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, url, self.redirect_uri_protocol)


class OrganisationOIDCProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "Your organisation's account"
    oauth2_adapter_class = OrganisationOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        # `nonce` also goes into the stashed state, to compare with the ID token's.
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


provider_classes = [OrganisationOIDCProvider]
