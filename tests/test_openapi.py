"""The OpenAPI document of the auth routes: what it says of every operation, and that the answers of a real
session (the successes random requests seldom reach) are the JSON it documents, field for field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from sqlalchemy import create_engine
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from fastapi_betterauth.schema import shipped_tables

from .conftest import BASE_URL, PASSWORD
from .security.test_fuzz import PREFIX, fuzz_app

EMAIL = "openapi@example.com"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    path: Path = tmp_path_factory.mktemp("openapi") / "auth.db"
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine, tables=list(shipped_tables()))
    engine.dispose()
    return fuzz_app(f"sqlite+aiosqlite:///{path}")


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        if path.startswith(PREFIX):
            for method, operation in operations.items():
                yield method.upper(), path, operation


def _json_schema(response: dict[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema")


def _is_error_schema(schema: dict[str, Any]) -> bool:
    """`ErrorResponse`, by reference or written in place, alone or among the choices."""
    if schema.get("$ref") == "#/components/schemas/ErrorResponse" or schema.get("title") == "ErrorResponse":
        return True
    return any(_is_error_schema(choice) for choice in schema.get("anyOf", ()))


def test_every_operation_documents_its_answers(document: dict[str, Any]) -> None:
    """A success (a body, a page or a redirect), the shared errors as `{code, message}` JSON, the origin check and
    body limits where a body is read, and never FastAPI's 422, which no auth route answers."""
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        where = f"{method} {path}"
        assert "422" not in responses or _is_error_schema(_json_schema(responses["422"])), where
        assert {"200", "302"} & set(responses), where
        for status in ("400", "429", "503"):
            assert status in responses, (where, status)
        for status, response in responses.items():
            if int(status) >= 400:
                schema = _json_schema(response)
                assert schema is not None, (where, status)
                assert _is_error_schema(schema), (where, status)
                assert response["description"], (where, status)
        if method == "POST":
            assert {"403", "413"} <= set(responses), where
        if "requestBody" in operation:
            assert "415" in responses, where


def test_bodies_and_parameters_read_by_hand_are_documented(document: dict[str, Any]) -> None:
    operations = {(method, path): operation for method, path, operation in _operations(document)}
    assert "requestBody" in operations["POST", f"{PREFIX}sign-in/email"]
    for method, path, name in [
        ("GET", "account-info", "accountId"),
        ("GET", "callback/{provider_id}", "code"),
        ("GET", "callback/{provider_id}", "state"),
        ("GET", "api-key/list", "sortBy"),
        ("GET", "get-session", "disableCookieCache"),
    ]:
        parameters = operations[method, f"{PREFIX}{path}"].get("parameters", [])
        assert name in {parameter["name"] for parameter in parameters}, (method, path, name)


class Session:
    """A client that checks each answer against the document: documented status, content type and body."""

    def __init__(self, client: TestClient, document: dict[str, Any]) -> None:
        self.client = client
        self.document = document
        self.schema = schemathesis.openapi.from_dict(document)
        self.cookie = ""

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        headers = {"origin": BASE_URL, **({"cookie": self.cookie} if self.cookie else {}), **kwargs.pop("headers", {})}
        response = self.client.request(method, PREFIX + path.lstrip("/"), headers=headers, **kwargs)
        self.client.cookies.clear()
        assert response.status_code == status, response.text
        template = next(p for p in self.document["paths"] if _matches(p, PREFIX + path.split("?")[0]))
        documented = self.document["paths"][template][method.lower()]["responses"]
        assert str(status) in documented, (method, path, status)
        self.schema[template][method].validate_response(response)
        for cookie in response.headers.get_list("set-cookie"):
            if "session_token=" in cookie and "Max-Age=0" not in cookie:
                self.cookie = cookie.split(";", 1)[0]
        return response.json() if response.headers.get("content-type", "").startswith("application/json") else None


def _matches(template: str, path: str) -> bool:
    parts, actual = template.split("/"), path.split("/")
    return len(parts) == len(actual) and all(p == a or p.startswith("{") for p, a in zip(parts, actual, strict=True))


@pytest.mark.slow
def test_answers_of_a_real_session_are_the_documented_json(app: FastAPI, document: dict[str, Any]) -> None:
    """The response models describe the JSON sent exactly: required fields present, types and nullability right,
    no field the document does not name."""
    with TestClient(app, base_url=BASE_URL, follow_redirects=False) as client:
        s = Session(client, document)
        s.call("GET", "get-session")
        s.call("POST", "sign-up/email", json={"name": "Open", "email": EMAIL, "password": PASSWORD})
        first = s.cookie
        body = s.call("POST", "sign-in/email", json={"email": EMAIL, "password": PASSWORD, "callbackURL": "/home"})
        assert body["url"] == "/home"
        assert s.call("GET", "get-session")["user"]["email"] == EMAIL
        sessions = s.call("GET", "list-sessions")
        s.call("POST", "update-user", json={"name": "Api"})
        s.call("POST", "verify-password", json={"password": PASSWORD})
        s.call("POST", "send-verification-email", json={"email": EMAIL})
        s.call("POST", "request-password-reset", json={"email": EMAIL})
        assert s.call("GET", "list-accounts")[0]["providerId"] == "credential"
        s.call("POST", "sign-in/social", json={"provider": "github", "disableRedirect": True})
        s.call("POST", "link-social", json={"provider": "github"})
        s.call("GET", "callback/github?code=x&state=y", status=302)
        s.call("GET", "account-info?accountId=nope", status=400)
        s.call("POST", "get-access-token", json={"accountId": "nope"}, status=400)

        created = s.call("POST", "api-key/create", json={"name": "docs", "expiresIn": 86400, "metadata": {"a": 1}})
        s.call("GET", f"api-key/get?id={created['id']}")
        s.call("GET", "api-key/list?limit=5&offset=0&sortBy=createdAt")
        s.call("POST", "api-key/update", json={"keyId": created["id"], "name": "renamed", "enabled": False})
        s.call("POST", "api-key/delete", json={"keyId": created["id"]})
        s.call("GET", f"api-key/get?id={created['id']}", status=404)

        s.call("GET", "verify-email?token=nope", status=401)
        s.call("GET", "verify-email?token=nope&callbackURL=/done", status=302)
        s.call("GET", "reset-password/nope?callbackURL=/reset", status=302)
        s.call("GET", "reset-password/nope?callbackURL=")
        s.call("GET", "error?error=oops")
        s.call("POST", "update-session", json={}, status=400)
        s.call("POST", "revoke-session", json={"token": sessions[0]["token"]})
        s.call("POST", "revoke-other-sessions")
        new_password = PASSWORD + "!"
        changed = s.call(
            "POST",
            "change-password",
            json={"currentPassword": PASSWORD, "newPassword": new_password, "revokeOtherSessions": True},
        )
        assert changed["token"]
        s.call("POST", "sign-out")
        s.cookie = first
        s.call("GET", "list-sessions", status=401)
        s.cookie = ""
        s.call("POST", "sign-in/email", json={"email": EMAIL, "password": new_password})
        s.call("POST", "revoke-sessions")
        s.call("POST", "sign-in/email", json={"email": EMAIL, "password": new_password})
        assert s.call("POST", "delete-user", json={"password": new_password})["message"] == "User deleted"
