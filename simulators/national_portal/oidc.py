"""VNeID-style OpenID Connect provider (contract §7), built on Authlib's authorization server.

Authorization code with PKCE (S256 only, always required), nonce required, RS256 ID tokens signed with a key
kept in the simulator's store and published at /oidc/jwks. Claims: sub (VNeID account id), so_dinh_danh,
name, birthdate, phone_number, email, muc_do_dinh_danh. Codes live five minutes and are single-use.
"""

from __future__ import annotations

import time
from typing import Any

from authlib.integrations.django_oauth2 import AuthorizationServer, BearerTokenValidator, ResourceProtector
from authlib.oauth2.rfc6749 import InvalidRequestError, InvalidScopeError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from django.db import IntegrityError, transaction
from joserfc.jwk import RSAKey

from simulators.national_portal import conf
from simulators.national_portal.models import (
    Citizen,
    OidcAuthorizationCode,
    OidcClient,
    OidcToken,
    SigningKey,
)
from simulators.national_portal.router import DB_ALIAS

ID_TOKEN_LIFETIME_S = 3600
SCOPES = "openid profile email phone"


def issuer() -> str:
    return f"{conf.public_url()}/oidc"


def signing_key() -> RSAKey:
    """The provider's private key, created once and kept in the store (so tokens survive a restart)."""
    row = SigningKey.objects.order_by("id").first()
    if row is None:
        key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        try:
            with transaction.atomic(using=DB_ALIAS):
                SigningKey.objects.create(
                    kid=key.kid or key.thumbprint(), private_pem=key.as_pem(private=True).decode()
                )
        except IntegrityError:
            pass
        row = SigningKey.objects.order_by("id").first()
        assert row is not None
    return RSAKey.import_key(row.private_pem, {"kid": row.kid, "use": "sig", "alg": "RS256"})


def jwks() -> dict[str, Any]:
    return {"keys": [signing_key().as_dict(private=False)]}


def ensure_client() -> OidcClient:
    """Create or refresh the HTTT's OIDC client from the configuration."""
    client, _created = OidcClient.objects.update_or_create(
        client_id=conf.oidc_client_id(),
        defaults={
            "client_secret": conf.oidc_client_secret(),
            "redirect_uris": conf.oidc_redirect_uris(),
            "scope": SCOPES,
        },
    )
    return client


def claims_for(citizen: Citizen) -> dict[str, Any]:
    return {
        "sub": citizen.ma_tai_khoan,
        "so_dinh_danh": citizen.so_dinh_danh,
        "name": citizen.ho_va_ten,
        "birthdate": citizen.ngay_sinh.isoformat(),
        "phone_number": citizen.so_dien_thoai or None,
        "email": citizen.email or None,
        "muc_do_dinh_danh": citizen.muc_do_dinh_danh,
    }


class S256Only(CodeChallenge):
    """PKCE required for every client (confidential ones too), and only the S256 method.

    OAuth error descriptions must be ASCII (RFC 6749 §5.2), hence English messages here.
    """

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing code_challenge")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing code_verifier")
        super().validate_code_verifier(grant, result)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_authorization_request(self) -> str:
        redirect_uri = super().validate_authorization_request()
        # A sign-in provider only: a request that does not ask for an identity is a client bug.
        if "openid" not in (self.request.scope or "").split():
            raise InvalidScopeError("The openid scope is required", redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> OidcAuthorizationCode:
        data = request.payload.data
        return OidcAuthorizationCode.objects.create(
            code=code,
            client_id=request.client.client_id,
            user=request.user,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            nonce=data.get("nonce") or "",
            code_challenge=data.get("code_challenge") or "",
            code_challenge_method=data.get("code_challenge_method") or "",
            auth_time=int(time.time()),
        )

    def query_authorization_code(self, code: str, client: OidcClient) -> OidcAuthorizationCode | None:
        item = OidcAuthorizationCode.objects.filter(code=code, client_id=client.client_id, used=False).first()
        if item is None or item.is_expired():
            return None
        return item

    def delete_authorization_code(self, authorization_code: OidcAuthorizationCode) -> None:
        # Kept (marked used) rather than deleted: exists_nonce needs it to refuse a replayed nonce.
        authorization_code.used = True
        authorization_code.save(update_fields=["used"])

    def authenticate_user(self, authorization_code: OidcAuthorizationCode) -> Citizen:
        return authorization_code.user


class VNeIDOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return OidcAuthorizationCode.objects.filter(client_id=request.payload.client_id, nonce=nonce).exists()

    def resolve_client_private_key(self, client: OidcClient) -> RSAKey:
        return signing_key()

    def get_client_algorithm(self, client: OidcClient) -> str:
        return "RS256"

    def get_encode_header(self, client: OidcClient) -> dict[str, str]:
        return {"alg": "RS256", "kid": signing_key().kid or "", "typ": "JWT"}

    def get_client_claims(self, client: OidcClient) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": issuer(), "aud": [client.client_id], "iat": now, "exp": now + ID_TOKEN_LIFETIME_S}

    def generate_user_info(self, user: Citizen, scope: str) -> UserInfo:
        return UserInfo({k: v for k, v in claims_for(user).items() if v is not None})


class Server(AuthorizationServer):
    def query_client(self, client_id: str) -> OidcClient | None:
        return OidcClient.objects.filter(client_id=client_id).first()


def build_server() -> Server:
    server = Server(OidcClient, OidcToken)
    server.register_grant(CodeGrant, [VNeIDOpenIDCode(require_nonce=True), S256Only(required=True)])
    return server


server = build_server()
require_token = ResourceProtector()
require_token.register_token_validator(BearerTokenValidator(OidcToken))


def discovery() -> dict[str, Any]:
    base = issuer()
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": SCOPES.split(),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "so_dinh_danh",
            "name",
            "birthdate",
            "phone_number",
            "email",
            "muc_do_dinh_danh",
        ],
    }
