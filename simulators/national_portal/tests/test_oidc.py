"""VNeID-style OpenID Connect (contract §7): discovery, code flow with PKCE S256 and nonce, RS256 ID token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from simulators.national_portal.models import Citizen
from simulators.national_portal.population import seed_population
from simulators.national_portal.tests.conftest import SIM_DB, JsonClient

pytestmark = pytest.mark.django_db(databases=SIM_DB)

CLIENT_ID, CLIENT_SECRET = "motcua-portal", "motcua-portal-secret"
REDIRECT = "http://127.0.0.1:8000/oidc/callback/"
ISSUER = "http://127.0.0.1:8100/oidc"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def anon():
    """Browser and relying party reach the provider on loopback, where plain http is allowed (RFC 8252)."""
    return JsonClient(HTTP_HOST="127.0.0.1:8100")


@pytest.fixture
def citizen():
    seed_population(60, seed=2)
    return Citizen.objects.exclude(so_dien_thoai="").order_by("id").first()


def authorize_query(verifier: str, **overrides) -> dict:
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st-123",
        "nonce": "nonce-456",
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    query.update(overrides)
    return {k: v for k, v in query.items() if v is not None}


def sign_in(anon, citizen, verifier: str, **overrides):
    url = "/oidc/authorize?" + urlencode(authorize_query(verifier, **overrides))
    page = anon.get(url)
    assert page.status_code == 200, page.content
    return anon.post(url, {"so_dinh_danh": citizen.so_dinh_danh, "action": "login"})


def redeem(anon, code: str, verifier: str | None):
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier is not None:
        data["code_verifier"] = verifier
    return anon.post("/oidc/token", data, HTTP_AUTHORIZATION=f"Basic {basic}")


def verify_rs256(token: str, jwks: dict) -> dict:
    """Check the signature with the published key using plain RSA primitives, then return the claims."""
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "RS256"
    [key] = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    public = rsa.RSAPublicNumbers(
        int.from_bytes(unb64url(key["e"]), "big"), int.from_bytes(unb64url(key["n"]), "big")
    ).public_key()
    public.verify(
        unb64url(signature_b64), f"{header_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return json.loads(unb64url(claims_b64))


def test_discovery_is_a_valid_openid_provider_document(anon):
    document = anon.get("/oidc/.well-known/openid-configuration").json()
    OpenIDProviderMetadata(document).validate()
    assert document["issuer"] == ISSUER
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = anon.get("/oidc/jwks").json()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")]
    assert "d" not in keys[0]  # never the private part


def test_the_full_code_flow_with_pkce_gives_a_signed_id_token_with_the_contract_claims(anon, citizen):
    verifier = secrets.token_urlsafe(48)
    redirect = sign_in(anon, citizen, verifier)
    assert redirect.status_code == 302
    location = urlsplit(redirect["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = parse_qs(location.query)
    assert params["state"] == ["st-123"]
    tokens = redeem(anon, params["code"][0], verifier)
    assert tokens.status_code == 200, tokens.content
    body = tokens.json()
    claims = verify_rs256(body["id_token"], anon.get("/oidc/jwks").json())
    assert claims["iss"] == ISSUER
    assert CLIENT_ID in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])
    assert claims["nonce"] == "nonce-456"
    assert claims["exp"] > claims["iat"]
    assert claims["sub"] == citizen.ma_tai_khoan
    assert claims["so_dinh_danh"] == citizen.so_dinh_danh
    assert claims["name"] == citizen.ho_va_ten
    assert claims["birthdate"] == citizen.ngay_sinh.isoformat()
    assert claims["phone_number"] == citizen.so_dien_thoai
    assert claims["muc_do_dinh_danh"] in (1, 2) and claims["muc_do_dinh_danh"] == citizen.muc_do_dinh_danh
    info = anon.get("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json()
    assert (info["sub"], info["so_dinh_danh"]) == (citizen.ma_tai_khoan, citizen.so_dinh_danh)


def test_a_tampered_id_token_fails_verification(anon, citizen):
    verifier = secrets.token_urlsafe(48)
    code = parse_qs(urlsplit(sign_in(anon, citizen, verifier)["Location"]).query)["code"][0]
    header, claims, signature = redeem(anon, code, verifier).json()["id_token"].split(".")
    forged = json.loads(unb64url(claims)) | {"so_dinh_danh": "079203004321"}
    with pytest.raises(InvalidSignature):
        verify_rs256(
            f"{header}.{b64url(json.dumps(forged).encode())}.{signature}", anon.get("/oidc/jwks").json()
        )


def test_a_wrong_verifier_and_a_reused_code_are_refused(anon, citizen):
    verifier = secrets.token_urlsafe(48)
    code = parse_qs(urlsplit(sign_in(anon, citizen, verifier)["Location"]).query)["code"][0]
    wrong = redeem(anon, code, secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert redeem(anon, code, verifier).status_code == 200
    reused = redeem(anon, code, verifier)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_the_token_endpoint_requires_the_verifier(anon, citizen):
    verifier = secrets.token_urlsafe(48)
    code = parse_qs(urlsplit(sign_in(anon, citizen, verifier)["Location"]).query)["code"][0]
    missing = redeem(anon, code, None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),  # no PKCE
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"scope": "profile"}, "invalid_scope"),  # not a sign-in request
    ],
)
def test_an_authorization_request_without_pkce_s256_nonce_or_openid_is_sent_back(
    anon, citizen, overrides, error
):
    response = anon.get("/oidc/authorize?" + urlencode(authorize_query("v" * 50, **overrides)))
    assert response.status_code == 302
    sent_back = parse_qs(urlsplit(response["Location"]).query)
    assert sent_back["error"] == [error]
    assert sent_back["state"] == ["st-123"]


def test_an_unknown_redirect_uri_is_refused_without_redirecting(anon, citizen):
    response = anon.get(
        "/oidc/authorize?" + urlencode(authorize_query("v" * 50, redirect_uri="https://evil.example/"))
    )
    assert response.status_code == 400
    assert "Location" not in response


def test_cancelling_sends_access_denied_back(anon, citizen):
    url = "/oidc/authorize?" + urlencode(authorize_query("v" * 50))
    response = anon.post(url, {"action": "cancel"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["access_denied"]


def test_an_unknown_number_stays_on_the_sign_in_page(anon, citizen):
    url = "/oidc/authorize?" + urlencode(authorize_query("v" * 50))
    response = anon.post(url, {"so_dinh_danh": "001099999999", "action": "login"})
    assert response.status_code == 400
    assert "Không có công dân" in response.content.decode()
