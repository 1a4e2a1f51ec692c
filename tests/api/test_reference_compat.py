"""Wire compatibility with the reference reseller API v2 (DESIGN 6): for every route and method Paneel offers that
the reference also has, real signed requests against seeded data, success and error cases alike, must answer a
status the reference lists for that operation (or one of DEVIATIONS, each with its reason), the response headers
the reference declares, and a body that validates against the reference's response schema.

The reference document is read from shared/reference/ beside the repository (or PANEEL_REFERENCE_OPENAPI); none of
its text is copied here. Its object schemas all set `additionalProperties: false`: a property Paneel adds is
accepted only where ADDITIONS lists it, with its reason, so no other extra can slip onto the wire unnoticed.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from django.conf import settings
from django.utils import timezone

from apps.certificates.models import CertificateRequest, RequestStatus
from apps.domains.models import Domain, DomainStatus
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api_routes import api_routes, shape
from tests.world import REGISTRANT, csr_for, ssh_public_key

PASSWORD = "Secret123abc"


def reference_path() -> Path:
    configured = os.environ.get("PANEEL_REFERENCE_OPENAPI")
    return (
        Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared/reference/combell-v2-openapi.json"
    )


@cache
def load_reference() -> dict | None:
    path = reference_path()
    return json.loads(path.read_text()) if path.is_file() else None


@pytest.fixture
def reference() -> dict:
    document = load_reference()
    if document is None:
        pytest.skip(f"the reference OpenAPI document is not at {reference_path()} (set PANEEL_REFERENCE_OPENAPI)")
    return document


def reference_base(document: dict) -> str:
    """The path prefix of the reference's routes (its `servers`: `/v2`)."""
    return document.get("servers", [{}])[0].get("url", "").rstrip("/")


def reference_operation(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method.lower()]


# --- Where Paneel differs from the reference on purpose. Each entry: (method, reference path, status) -> why.

GENERAL_404 = "DESIGN 5: what does not exist or belongs to another reseller is 404 (the reference's general status "
GENERAL_404 += "table has 404 for a resource not found; this operation lists no error at all)."
BODY_ID_404 = "STYLE 'scope every id that comes in': an unknown or foreign id in the body is 404 (DESIGN 5)."
CONFLICT_409 = "DESIGN 6: duplicates, quotas and states are 409 conflicts, which a retry after a change may pass."
PAGING_400 = "DESIGN 6 Paging: a negative or non-numeric skip/take is 400; the reference lists only 200."
INVALID_400 = "An invalid request is 400 validation_failed (DESIGN 6); this operation of the reference lists no error."
DEVIATIONS: dict[tuple[str, str, int], str] = {
    ("GET", "/servicepacks", 401): "DESIGN 6.1: no credentials is 401 (the reference's general status table).",
    ("GET", "/accounts", 400): PAGING_400,
    ("GET", "/linuxhostings", 400): PAGING_400,
    ("GET", "/mailboxes", 400): INVALID_400 + " Here a filter Paneel adds (`account_id`) has a bad value.",
    ("GET", "/windowshostings", 400): PAGING_400,
    ("GET", "/windowshostings/{domainName}", 404): GENERAL_404 + " Paneel offers no Windows hosting: every name.",
    ("GET", "/mysqldatabases", 400): PAGING_400,
    ("POST", "/accounts", 404): BODY_ID_404,
    ("POST", "/accounts", 409): CONFLICT_409,
    ("GET", "/accounts/{accountId}", 404): GENERAL_404,
    ("GET", "/linuxhostings/{domainName}", 404): GENERAL_404,
    ("GET", "/linuxhostings/{domainName}/phpsettings/availableversions", 404): GENERAL_404,
    ("PUT", "/linuxhostings/{domainName}/phpsettings/version", 400): INVALID_400,
    ("PUT", "/linuxhostings/{domainName}/phpsettings/version", 404): GENERAL_404,
    ("PUT", "/linuxhostings/{domainName}/phpsettings/memorylimit", 400): INVALID_400,
    ("PUT", "/linuxhostings/{domainName}/phpsettings/apcu", 400): INVALID_400,
    ("PUT", "/linuxhostings/{domainName}/settings/gzipcompression", 400): INVALID_400,
    ("POST", "/linuxhostings/{domainName}/subsites", 400): INVALID_400,
    ("POST", "/linuxhostings/{domainName}/subsites", 409): CONFLICT_409,
    ("POST", "/linuxhostings/{domainName}/sites/{siteName}/hostheaders", 409): CONFLICT_409,
    ("GET", "/linuxhostings/{domainName}/ssh/keys", 404): GENERAL_404,
    ("POST", "/linuxhostings/{domainName}/ssh/keys", 400): INVALID_400,
    ("DELETE", "/linuxhostings/{domainName}/ssh/keys/{fingerprint}", 404): GENERAL_404,
    ("GET", "/linuxhostings/{domainName}/scheduledtasks", 404): GENERAL_404,
    ("POST", "/linuxhostings/{domainName}/scheduledtasks", 400): INVALID_400,
    ("GET", "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}", 404): GENERAL_404,
    ("DELETE", "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}", 404): GENERAL_404,
    ("GET", "/ssh", 400): PAGING_400,
    ("POST", "/mailboxes", 400): INVALID_400,
    ("POST", "/mailboxes", 404): BODY_ID_404,
    ("POST", "/mailboxes", 409): CONFLICT_409,
    ("GET", "/mailboxes/{mailboxName}", 404): GENERAL_404,
    ("DELETE", "/mailboxes/{mailboxName}", 404): GENERAL_404,
    ("PUT", "/mailboxes/{mailboxName}/password", 400): INVALID_400,
    ("POST", "/mysqldatabases", 403): "DESIGN 5: a key below level write may not create (403 insufficient_level).",
    ("POST", "/mysqldatabases", 404): BODY_ID_404,
    ("POST", "/mysqldatabases", 409): CONFLICT_409,
    ("GET", "/mysqldatabases/{databaseName}", 404): GENERAL_404,
    ("DELETE", "/mysqldatabases/{databaseName}", 404): GENERAL_404,
    ("GET", "/mysqldatabases/{databaseName}/users", 404): GENERAL_404,
    ("POST", "/mysqldatabases/{databaseName}/users", 409): CONFLICT_409,
    ("PUT", "/mysqldatabases/{databaseName}/users/{userName}/status", 400): INVALID_400,
    ("PUT", "/mysqldatabases/{databaseName}/users/{userName}/password", 404): GENERAL_404,
    ("DELETE", "/mysqldatabases/{databaseName}/users/{userName}", 404): GENERAL_404,
    ("GET", "/provisioningjobs/{jobId}", 404): GENERAL_404,
    ("PUT", "/mailboxes/{mailboxName}/autoreply", 400): INVALID_400,
    ("PUT", "/mailboxes/{mailboxName}/autoforward", 400): INVALID_400,
    ("GET", "/mailzones/{domainName}", 404): GENERAL_404,
    ("POST", "/mailzones/{domainName}/catchall", 400): INVALID_400,
    ("DELETE", "/mailzones/{domainName}/catchall/{emailAddress}", 404): GENERAL_404,
    ("PUT", "/mailzones/{domainName}/antispam", 400): INVALID_400,
    ("POST", "/mailzones/{domainName}/aliases", 409): CONFLICT_409,
    ("DELETE", "/mailzones/{domainName}/aliases/{emailAddress}", 404): GENERAL_404,
    ("PUT", "/mailzones/{domainName}/smtpdomains/{hostname}", 404): GENERAL_404,
    ("DELETE", "/mailzones/{domainName}/smtpdomains/{hostname}", 404): GENERAL_404,
    ("GET", "/domains", 400): PAGING_400,
    ("GET", "/domains/{domainName}", 404): GENERAL_404,
    ("POST", "/domains/registrations", 400): INVALID_400,
    ("POST", "/domains/registrations", 409): CONFLICT_409,
    ("POST", "/domains/transfers", 400): INVALID_400,
    ("PUT", "/domains/{domainName}/nameservers", 400): INVALID_400,
    ("PUT", "/domains/{domainName}/nameservers", 404): GENERAL_404,
    ("PUT", "/domains/{domainName}/renew", 404): GENERAL_404,
    ("PUT", "/domains/{domainName}/renew", 409): CONFLICT_409 + " Here: an order on the domain is still pending.",
    ("GET", "/sslcertificaterequests", 400): PAGING_400,
    ("POST", "/sslcertificaterequests", 400): INVALID_400,
    ("POST", "/sslcertificaterequests", 404): BODY_ID_404 + " Here: a CSR naming a domain of no account of yours.",
    ("GET", "/sslcertificaterequests/{id}", 404): GENERAL_404,
    ("PUT", "/sslcertificaterequests/{id}", 404): GENERAL_404,
    ("GET", "/sslcertificates", 400): PAGING_400,
    ("GET", "/sslcertificates/{sha1Fingerprint}", 404): GENERAL_404,
    ("PUT", "/linuxhostings/{domainName}/sslsettings/{hostname}/letsencrypt", 400): INVALID_400,
    ("PUT", "/linuxhostings/{domainName}/sslsettings/{hostname}/letsencrypt", 404): GENERAL_404,
    ("PUT", "/linuxhostings/{domainName}/sslsettings/{hostname}/autoredirect", 400): INVALID_400,
    ("PUT", "/linuxhostings/{domainName}/sslsettings/{hostname}/autoredirect", 404): GENERAL_404,
    ("GET", "/dns/{domainName}/records", 400): PAGING_400,
    ("GET", "/dns/{domainName}/records", 404): GENERAL_404,
    ("POST", "/dns/{domainName}/records", 400): INVALID_400,
    ("POST", "/dns/{domainName}/records", 404): GENERAL_404,
    ("GET", "/dns/{domainName}/records/{recordId}", 404): GENERAL_404,
    ("PUT", "/dns/{domainName}/records/{recordId}", 400): INVALID_400,
    ("PUT", "/dns/{domainName}/records/{recordId}", 404): GENERAL_404,
    ("DELETE", "/dns/{domainName}/records/{recordId}", 404): GENERAL_404,
}

# --- Properties Paneel adds to the reference's (closed) schemas, per reference schema name -> why.

STATUS = "Paneel's lifecycle status (provisioning, active, ...): DESIGN 4 and 6.2."
ACCOUNT_ID = "The owning account, for clients that list assets across accounts (DESIGN 6.2 'Paneel may add')."
PROBLEM = "RFC 9457 problem member: every error is problem+json (DESIGN 6 Errors)."
ADDITIONS: dict[str, dict[str, str]] = {
    "Account": {"status": STATUS, "created_at": "When the account was created (DESIGN 4)."},
    "AccountDetail": {
        "status": STATUS,
        "created_at": "When the account was created (DESIGN 4).",
        "assets": "DESIGN 6.2: the account's assets with their usage.",
    },
    "Servicepack": {"items": "DESIGN 6.2: what the pack holds (asset type, max count, max size)."},
    "LinuxHosting": {"account_id": ACCOUNT_ID, "status": STATUS},
    "LinuxHostingDetail": {
        "account_id": ACCOUNT_ID,
        "status": STATUS,
        **{
            name: "What the reference's PUT routes set and none of its GETs shows (DESIGN 6.2 'Paneel may add')."
            for name in ("php_memory_limit", "apcu_enabled", "apcu_size", "gzip_enabled", "ssh_enabled")
        },
    },
    "Mailbox": {"account_id": ACCOUNT_ID, "status": STATUS},
    "MailboxDetail": {"account_id": ACCOUNT_ID, "status": STATUS},
    "MySqlDatabase": {"status": STATUS},
    "Domain": {
        "status": "Paneel: where the registrar is with the domain (registering, transferring, active, refused)."
    },
    "DomainDetail": {"status": "Paneel: where the registrar is with the domain (registering, ...)."},
    "ProvisioningJobInfo": {"error": "DESIGN 6.2: why a failed or cancelled job ended, as a problem object."},
    "BadRequestResponse": {
        name: PROBLEM for name in ("type", "title", "status", "detail", "code", "instance", "request_id")
    },
    "ValidationErrorMessage": {"field": "DESIGN 6 Errors: the request field a validation error is about."},
}

# Values Paneel adds to the reference's enums, per reference schema name -> why.
ENUM_ADDITIONS: dict[str, dict[str, str]] = {
    "SslCertificateVendor": {
        "letsencrypt": "Paneel orders over ACME from the configured CA, Let's Encrypt by default; the vendor is the "
        "CA it really is (`sectigo` for Sectigo's ACME), never a vendor that did not issue (README, SSL)."
    },
}


# --- The reference's schemas as JSON Schema (OpenAPI 3.0 is a dialect of draft 4).

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


@FORMATS.checks("int32")
def is_int32(value: Any) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMATS.checks("uuid", raises=ValueError)
def is_uuid(value: Any) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


def json_schema(schema: dict, components: dict, name: str | None = None) -> dict:
    """Resolve `$ref`s into the reference's components, leave out what is only documentation, and open each named
    component to the properties ADDITIONS allows on it (any value: Paneel's own document types those) and the
    values ENUM_ADDITIONS allows in it."""
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[1]
        return json_schema(components[ref], components, ref)
    result = {key: value for key, value in schema.items() if key not in ("description", "deprecated", "example")}
    if result.pop("nullable", False):
        result["type"] = [result["type"], "null"]
    if "properties" in schema:
        result["properties"] = {key: json_schema(value, components) for key, value in schema["properties"].items()}
        result["properties"].update({key: {} for key in ADDITIONS.get(name, {})})
    if "enum" in schema and name in ENUM_ADDITIONS:
        result["enum"] = [*schema["enum"], *ENUM_ADDITIONS[name]]
    if "items" in schema:
        result["items"] = json_schema(schema["items"], components)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            result[key] = [json_schema(part, components) for part in schema[key]]
    return result


def assert_valid(instance: Any, schema: dict, components: dict, what: str) -> None:
    validator = jsonschema.Draft4Validator(json_schema(schema, components), format_checker=FORMATS)
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not errors, f"{what}: " + "; ".join(
        f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}" for error in errors
    )


# --- The cases


@dataclass(frozen=True)
class Case:
    """`target(world)` is the path and query to send; `body(world)`, if any, the JSON body."""

    method: str
    reference_path: str  # as the reference names it (its parameter names, without its `/v2` base)
    status: int  # what Paneel answers
    target: Callable[[SimpleNamespace], str]
    body: Callable[[SimpleNamespace], dict] | None = None
    level: str = "full"  # the key's level; None for an unsigned request
    signed: bool = True
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.reference_path} {self.status}{' ' + self.note if self.note else ''}"


def fixed(path: str) -> Callable[[SimpleNamespace], str]:
    return lambda world: path


CASES = [
    Case("GET", "/servicepacks", 200, fixed("/v2/servicepacks")),
    Case("GET", "/servicepacks", 401, fixed("/v2/servicepacks"), signed=False, note="unsigned"),
    Case("GET", "/accounts", 200, fixed("/v2/accounts?skip=0&take=10")),
    Case(
        "GET",
        "/accounts",
        200,
        lambda w: f"/v2/accounts?asset_type=mysql&identifier={w.account.identifier}",
        note="filtered",
    ),
    Case("GET", "/accounts", 400, fixed("/v2/accounts?skip=-1")),
    Case(
        "POST",
        "/accounts",
        202,
        fixed("/v2/accounts"),
        lambda w: {
            "identifier": "new-shop.example",
            "servicepack_id": w.account.servicepack_id,
            "ftp_password": PASSWORD,
        },
    ),
    Case("POST", "/accounts", 400, fixed("/v2/accounts"), lambda w: {"servicepack_id": w.account.servicepack_id}),
    Case("POST", "/accounts", 404, fixed("/v2/accounts"), lambda w: {"identifier": "x.example", "servicepack_id": 0}),
    Case(
        "POST",
        "/accounts",
        409,
        fixed("/v2/accounts"),
        lambda w: {"identifier": w.account.identifier, "servicepack_id": w.account.servicepack_id},
    ),
    Case("GET", "/accounts/{accountId}", 200, lambda w: f"/v2/accounts/{w.account.pk}"),
    Case("GET", "/accounts/{accountId}", 404, fixed("/v2/accounts/999999")),
    Case("GET", "/linuxhostings", 200, fixed("/v2/linuxhostings?skip=0&take=5")),
    Case("GET", "/linuxhostings", 400, fixed("/v2/linuxhostings?take=many")),
    Case("GET", "/linuxhostings/{domainName}", 200, lambda w: f"/v2/linuxhostings/{w.hosting.name}"),
    Case("GET", "/linuxhostings/{domainName}", 404, fixed("/v2/linuxhostings/nothing.example")),
    Case(
        "GET",
        "/linuxhostings/{domainName}/phpsettings/availableversions",
        200,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/availableversions",
    ),
    Case(
        "GET",
        "/linuxhostings/{domainName}/phpsettings/availableversions",
        404,
        fixed("/v2/linuxhostings/nothing.example/phpsettings/availableversions"),
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/version",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/version",
        lambda w: {"version": "8.2"},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/version",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/version",
        lambda w: {"version": "5.6"},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/version",
        404,
        fixed("/v2/linuxhostings/nothing.example/phpsettings/version"),
        lambda w: {"version": "8.2"},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/memorylimit",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/memorylimit",
        lambda w: {"memory_limit": 256},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/memorylimit",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/memorylimit",
        lambda w: {"memory_limit": 7},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/apcu",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/apcu",
        lambda w: {"apcu_size": 64, "enabled": True},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/phpsettings/apcu",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/phpsettings/apcu",
        lambda w: {"apcu_size": 4096, "enabled": True},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/settings/gzipcompression",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/settings/gzipcompression",
        lambda w: {"enabled": False},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/settings/gzipcompression",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/settings/gzipcompression",
        lambda w: {"enabled": "maybe"},
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/subsites",
        201,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/subsites",
        lambda w: {"domain_name": f"news.{w.account.identifier}", "path": "/subsites/news"},
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/subsites",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/subsites",
        lambda w: {"domain_name": "not a domain"},
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/subsites",
        409,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/subsites",
        lambda w: {"domain_name": w.subsite},
    ),
    Case(
        "DELETE",
        "/linuxhostings/{domainName}/subsites/{siteName}",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/subsites/{w.subsite}",
    ),
    Case(
        "DELETE",
        "/linuxhostings/{domainName}/subsites/{siteName}",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/subsites/{w.hosting.name}",
        note="main site",
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/sites/{siteName}/hostheaders",
        201,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sites/{w.hosting.name}/hostheaders",
        lambda w: {"domain_name": f"alias.{w.account.identifier}"},
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/sites/{siteName}/hostheaders",
        409,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sites/{w.hosting.name}/hostheaders",
        lambda w: {"domain_name": f"www.{w.hosting.name}"},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sites/{siteName}/http2/configuration",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sites/{w.hosting.name}/http2/configuration",
        lambda w: {"enabled": False},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sites/{siteName}/http2/configuration",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sites/{w.hosting.name}/http2/configuration",
        lambda w: {"enabled": None},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/ftp/configuration",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ftp/configuration",
        lambda w: {"enabled": False},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/ftp/configuration",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ftp/configuration",
        lambda w: {},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/ssh/configuration",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/configuration",
        lambda w: {"enabled": True},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/ssh/configuration",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/configuration",
        lambda w: {"enabled": "yes please"},
    ),
    Case("GET", "/linuxhostings/{domainName}/ssh/keys", 200, lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/keys"),
    Case("GET", "/linuxhostings/{domainName}/ssh/keys", 404, fixed("/v2/linuxhostings/nothing.example/ssh/keys")),
    Case(
        "POST",
        "/linuxhostings/{domainName}/ssh/keys",
        201,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/keys",
        lambda w: {"public_key": ssh_public_key("deploy")},
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/ssh/keys",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/keys",
        lambda w: {"public_key": "ssh-rsa AAAAnotakey"},
    ),
    Case(
        "DELETE",
        "/linuxhostings/{domainName}/ssh/keys/{fingerprint}",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/keys/{w.ssh_fingerprint}",
    ),
    Case(
        "DELETE",
        "/linuxhostings/{domainName}/ssh/keys/{fingerprint}",
        404,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/ssh/keys/SHA256:unknown",
    ),
    Case(
        "GET",
        "/linuxhostings/{domainName}/scheduledtasks",
        200,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks",
    ),
    Case(
        "GET",
        "/linuxhostings/{domainName}/scheduledtasks",
        404,
        fixed("/v2/linuxhostings/nothing.example/scheduledtasks"),
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/scheduledtasks",
        201,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks",
        lambda w: {"enabled": True, "cron_expression": "*/30 * * * *", "script_location": "/cron/run.sh"},
    ),
    Case(
        "POST",
        "/linuxhostings/{domainName}/scheduledtasks",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks",
        lambda w: {"enabled": True, "cron_expression": "*/7 * * * *", "script_location": "/cron/run.sh"},
    ),
    Case(
        "GET",
        "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}",
        200,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks/{w.task_id}",
    ),
    Case(
        "GET",
        "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}",
        404,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks/0123",
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks/{w.task_id}",
        lambda w: {"id": w.task_id, "enabled": False, "cron_expression": "0 2 * * 1", "script_location": "/b.sh"},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks/{w.task_id}",
        lambda w: {"enabled": False, "cron_expression": "0 2 * * 1", "script_location": "/../etc/passwd"},
    ),
    Case(
        "DELETE",
        "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks/{w.task_id}",
    ),
    Case(
        "DELETE",
        "/linuxhostings/{domainName}/scheduledtasks/{scheduledTaskId}",
        404,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/scheduledtasks/0123",
    ),
    Case("GET", "/ssh", 200, fixed("/v2/ssh?skip=0&take=10")),
    Case("GET", "/ssh", 400, fixed("/v2/ssh?take=-1")),
    Case("GET", "/mailboxes", 200, fixed("/v2/mailboxes")),
    Case("GET", "/mailboxes", 200, lambda w: f"/v2/mailboxes?domain_name={w.account.identifier}", note="domain"),
    Case("GET", "/mailboxes", 400, fixed("/v2/mailboxes?account_id=first")),
    Case("GET", "/windowshostings", 200, fixed("/v2/windowshostings?skip=0&take=5"), note="none: an empty list"),
    Case("GET", "/windowshostings", 400, fixed("/v2/windowshostings?take=-1")),
    Case("GET", "/windowshostings/{domainName}", 404, lambda w: f"/v2/windowshostings/{w.hosting.name}"),
    Case(
        "POST",
        "/mailboxes",
        201,
        fixed("/v2/mailboxes"),
        lambda w: {"email_address": f"sales@{w.account.identifier}", "account_id": w.account.pk, "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mailboxes",
        400,
        fixed("/v2/mailboxes"),
        lambda w: {"email_address": f"sales@{w.account.identifier}", "account_id": w.account.pk, "password": "short"},
    ),
    Case(
        "POST",
        "/mailboxes",
        404,
        fixed("/v2/mailboxes"),
        lambda w: {"email_address": "sales@x.example", "account_id": 999999, "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mailboxes",
        409,
        fixed("/v2/mailboxes"),
        lambda w: {"email_address": w.mailbox.name, "account_id": w.account.pk, "password": PASSWORD},
    ),
    Case("GET", "/mailboxes/{mailboxName}", 200, lambda w: f"/v2/mailboxes/{w.mailbox.name}"),
    Case("GET", "/mailboxes/{mailboxName}", 404, fixed("/v2/mailboxes/nobody@nothing.example")),
    Case("DELETE", "/mailboxes/{mailboxName}", 204, lambda w: f"/v2/mailboxes/{w.mailbox.name}"),
    Case("DELETE", "/mailboxes/{mailboxName}", 404, fixed("/v2/mailboxes/nobody@nothing.example")),
    Case(
        "PUT",
        "/mailboxes/{mailboxName}/password",
        204,
        lambda w: f"/v2/mailboxes/{w.mailbox.name}/password",
        lambda w: {"password": "Changed1234"},
    ),
    Case(
        "PUT",
        "/mailboxes/{mailboxName}/password",
        400,
        lambda w: f"/v2/mailboxes/{w.mailbox.name}/password",
        lambda w: {"password": "no digits here"},
    ),
    Case(
        "PUT",
        "/mailboxes/{mailboxName}/autoreply",
        204,
        lambda w: f"/v2/mailboxes/{w.mailbox.name}/autoreply",
        lambda w: {"enabled": True, "subject": "Away", "message": "Back on Monday."},
    ),
    Case(
        "PUT",
        "/mailboxes/{mailboxName}/autoreply",
        400,
        lambda w: f"/v2/mailboxes/{w.mailbox.name}/autoreply",
        lambda w: {"enabled": True, "subject": "Away", "message": ""},
    ),
    Case(
        "PUT",
        "/mailboxes/{mailboxName}/autoforward",
        204,
        lambda w: f"/v2/mailboxes/{w.mailbox.name}/autoforward",
        lambda w: {"enabled": True, "email_addresses": ["me@elsewhere.example"], "copy_to_myself": True},
    ),
    Case(
        "PUT",
        "/mailboxes/{mailboxName}/autoforward",
        400,
        lambda w: f"/v2/mailboxes/{w.mailbox.name}/autoforward",
        lambda w: {"enabled": True, "email_addresses": ["not an address"]},
    ),
    Case("GET", "/mailzones/{domainName}", 200, lambda w: f"/v2/mailzones/{w.account.identifier}"),
    Case("GET", "/mailzones/{domainName}", 404, fixed("/v2/mailzones/nothing.example")),
    Case(
        "POST",
        "/mailzones/{domainName}/catchall",
        201,
        lambda w: f"/v2/mailzones/{w.account.identifier}/catchall",
        lambda w: {"email_address": "catch@elsewhere.example"},
    ),
    Case(
        "POST",
        "/mailzones/{domainName}/catchall",
        400,
        lambda w: f"/v2/mailzones/{w.account.identifier}/catchall",
        lambda w: {"email_address": "no-at-sign"},
    ),
    Case(
        "DELETE",
        "/mailzones/{domainName}/catchall/{emailAddress}",
        204,
        lambda w: f"/v2/mailzones/{w.account.identifier}/catchall/{w.mail_zone.catch_all[0]}",
    ),
    Case(
        "DELETE",
        "/mailzones/{domainName}/catchall/{emailAddress}",
        404,
        lambda w: f"/v2/mailzones/{w.account.identifier}/catchall/nobody@elsewhere.example",
    ),
    Case(
        "PUT",
        "/mailzones/{domainName}/antispam",
        204,
        lambda w: f"/v2/mailzones/{w.account.identifier}/antispam",
        lambda w: {"type": "advanced"},
    ),
    Case(
        "PUT",
        "/mailzones/{domainName}/antispam",
        400,
        lambda w: f"/v2/mailzones/{w.account.identifier}/antispam",
        lambda w: {"type": "paranoid"},
    ),
    Case(
        "POST",
        "/mailzones/{domainName}/aliases",
        201,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases",
        lambda w: {"email_address": f"office@{w.account.identifier}", "destinations": [w.mailbox.name]},
    ),
    Case(
        "POST",
        "/mailzones/{domainName}/aliases",
        400,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases",
        lambda w: {"email_address": "office@elsewhere.example", "destinations": [w.mailbox.name]},
    ),
    Case(
        "POST",
        "/mailzones/{domainName}/aliases",
        409,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases",
        lambda w: {"email_address": w.mailbox.name, "destinations": ["me@elsewhere.example"]},
    ),
    Case(
        "PUT",
        "/mailzones/{domainName}/aliases/{emailAddress}",
        202,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases/{w.alias.email_address}",
        lambda w: {"destinations": ["boss@elsewhere.example"]},
    ),
    Case(
        "PUT",
        "/mailzones/{domainName}/aliases/{emailAddress}",
        400,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases/{w.alias.email_address}",
        lambda w: {"destinations": []},
    ),
    Case(
        "DELETE",
        "/mailzones/{domainName}/aliases/{emailAddress}",
        204,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases/{w.alias.email_address}",
    ),
    Case(
        "DELETE",
        "/mailzones/{domainName}/aliases/{emailAddress}",
        404,
        lambda w: f"/v2/mailzones/{w.account.identifier}/aliases/nobody@{w.account.identifier}",
    ),
    Case(
        "POST",
        "/mailzones/{domainName}/smtpdomains",
        201,
        lambda w: f"/v2/mailzones/{w.account.identifier}/smtpdomains",
        lambda w: {"hostname": "another-name.example"},
    ),
    Case(
        "POST",
        "/mailzones/{domainName}/smtpdomains",
        400,
        lambda w: f"/v2/mailzones/{w.account.identifier}/smtpdomains",
        lambda w: {"hostname": "not a domain"},
    ),
    Case(
        "PUT",
        "/mailzones/{domainName}/smtpdomains/{hostname}",
        202,
        lambda w: f"/v2/mailzones/{w.account.identifier}/smtpdomains/{w.smtp_domain.hostname}",
        lambda w: {"enabled": False},
    ),
    Case(
        "PUT",
        "/mailzones/{domainName}/smtpdomains/{hostname}",
        404,
        lambda w: f"/v2/mailzones/{w.account.identifier}/smtpdomains/unknown.example",
        lambda w: {"enabled": False},
    ),
    Case(
        "DELETE",
        "/mailzones/{domainName}/smtpdomains/{hostname}",
        204,
        lambda w: f"/v2/mailzones/{w.account.identifier}/smtpdomains/{w.smtp_domain.hostname}",
    ),
    Case(
        "DELETE",
        "/mailzones/{domainName}/smtpdomains/{hostname}",
        404,
        lambda w: f"/v2/mailzones/{w.account.identifier}/smtpdomains/unknown.example",
    ),
    Case("GET", "/mysqldatabases", 200, fixed("/v2/mysqldatabases?skip=0&take=5")),
    Case("GET", "/mysqldatabases", 400, fixed("/v2/mysqldatabases?skip=1.5")),
    Case(
        "POST",
        "/mysqldatabases",
        202,
        fixed("/v2/mysqldatabases"),
        lambda w: {"database_name": "blog", "account_id": w.account.pk, "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mysqldatabases",
        400,
        fixed("/v2/mysqldatabases"),
        lambda w: {"database_name": "blog", "account_id": "first", "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mysqldatabases",
        403,
        fixed("/v2/mysqldatabases"),
        lambda w: {"database_name": "blog", "account_id": w.account.pk, "password": PASSWORD},
        level="read",
        note="read key",
    ),
    Case(
        "POST",
        "/mysqldatabases",
        404,
        fixed("/v2/mysqldatabases"),
        lambda w: {"database_name": "blog", "account_id": 999999, "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mysqldatabases",
        409,
        fixed("/v2/mysqldatabases"),
        lambda w: {"database_name": "shop", "account_id": w.account.pk, "password": PASSWORD},
    ),
    Case("GET", "/mysqldatabases/{databaseName}", 200, lambda w: f"/v2/mysqldatabases/{w.mysql.name}"),
    Case("GET", "/mysqldatabases/{databaseName}", 404, fixed("/v2/mysqldatabases/pn0_nothing")),
    Case("DELETE", "/mysqldatabases/{databaseName}", 204, lambda w: f"/v2/mysqldatabases/{w.mysql.name}"),
    Case("DELETE", "/mysqldatabases/{databaseName}", 404, fixed("/v2/mysqldatabases/pn0_nothing")),
    Case("GET", "/mysqldatabases/{databaseName}/users", 200, lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users"),
    Case("GET", "/mysqldatabases/{databaseName}/users", 404, fixed("/v2/mysqldatabases/pn0_nothing/users")),
    Case(
        "POST",
        "/mysqldatabases/{databaseName}/users",
        202,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users",
        lambda w: {"name": "report", "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mysqldatabases/{databaseName}/users",
        400,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users",
        lambda w: {"name": "Not Valid!", "password": PASSWORD},
    ),
    Case(
        "POST",
        "/mysqldatabases/{databaseName}/users",
        409,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users",
        lambda w: {"name": "extra", "password": PASSWORD},
    ),
    Case(
        "PUT",
        "/mysqldatabases/{databaseName}/users/{userName}/status",
        204,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/{w.db_user}/status",
        lambda w: {"enabled": False},
    ),
    Case(
        "PUT",
        "/mysqldatabases/{databaseName}/users/{userName}/status",
        400,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/{w.db_user}/status",
        lambda w: {"enabled": "maybe"},
    ),
    Case(
        "PUT",
        "/mysqldatabases/{databaseName}/users/{userName}/password",
        204,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/{w.db_user}/password",
        lambda w: {"password": "Changed1234"},
    ),
    Case(
        "PUT",
        "/mysqldatabases/{databaseName}/users/{userName}/password",
        404,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/pn0_nobody/password",
        lambda w: {"password": "Changed1234"},
    ),
    Case(
        "DELETE",
        "/mysqldatabases/{databaseName}/users/{userName}",
        204,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/{w.db_user}",
    ),
    Case(
        "DELETE",
        "/mysqldatabases/{databaseName}/users/{userName}",
        400,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/{w.mysql.name}",
        note="read_and_write user",
    ),
    Case(
        "DELETE",
        "/mysqldatabases/{databaseName}/users/{userName}",
        404,
        lambda w: f"/v2/mysqldatabases/{w.mysql.name}/users/pn0_nobody",
    ),
    Case("GET", "/provisioningjobs/{jobId}", 201, lambda w: f"/v2/provisioningjobs/{w.job.pk}", note="finished"),
    Case("GET", "/provisioningjobs/{jobId}", 200, lambda w: f"/v2/provisioningjobs/{w.pending_job.pk}", note="ongoing"),
    Case("GET", "/provisioningjobs/{jobId}", 200, lambda w: f"/v2/provisioningjobs/{w.failed_job.pk}", note="failed"),
    Case("GET", "/provisioningjobs/{jobId}", 404, lambda w: f"/v2/provisioningjobs/{uuid.uuid4()}"),
    Case("GET", "/domains", 200, fixed("/v2/domains?skip=0&take=10")),
    Case("GET", "/domains", 400, fixed("/v2/domains?take=x")),
    Case("GET", "/domains/{domainName}", 200, lambda w: f"/v2/domains/{w.domain.domain_name}"),
    Case("GET", "/domains/{domainName}", 404, fixed("/v2/domains/nothing.example")),
    Case(
        "POST",
        "/domains/registrations",
        202,
        fixed("/v2/domains/registrations"),
        lambda w: {"domain_name": "brand-new.example", "name_servers": [], "registrant": REGISTRANT},
    ),
    Case(
        "POST",
        "/domains/registrations",
        400,
        fixed("/v2/domains/registrations"),
        lambda w: {"domain_name": "brand-new.example", "registrant": {"first_name": "Ada"}},
    ),
    Case(
        "POST",
        "/domains/registrations",
        409,
        fixed("/v2/domains/registrations"),
        lambda w: {"domain_name": w.domain.domain_name, "registrant": REGISTRANT},
    ),
    Case(
        "POST",
        "/domains/transfers",
        202,
        fixed("/v2/domains/transfers"),
        lambda w: {"domain_name": "moving-in.example", "auth_code": "X-123", "registrant": REGISTRANT},
    ),
    Case(
        "POST",
        "/domains/transfers",
        400,
        fixed("/v2/domains/transfers"),
        lambda w: {"domain_name": "moving-in.example", "registrant": REGISTRANT},
    ),
    Case(
        "PUT",
        "/domains/{domainName}/nameservers",
        204,
        lambda w: f"/v2/domains/{w.domain.domain_name}/nameservers",
        lambda w: {"domain_name": w.domain.domain_name, "name_servers": ["ns1.example.net", "ns2.example.net"]},
    ),
    Case(
        "PUT",
        "/domains/{domainName}/nameservers",
        400,
        lambda w: f"/v2/domains/{w.domain.domain_name}/nameservers",
        lambda w: {"name_servers": ["not a host", "ns2.example.net"]},
    ),
    Case(
        "PUT",
        "/domains/{domainName}/nameservers",
        404,
        fixed("/v2/domains/nothing.example/nameservers"),
        lambda w: {"name_servers": ["ns1.example.net", "ns2.example.net"]},
    ),
    Case(
        "PUT",
        "/domains/{domainName}/renew",
        204,
        lambda w: f"/v2/domains/{w.domain.domain_name}/renew",
        lambda w: {"will_renew": False},
    ),
    Case("PUT", "/domains/{domainName}/renew", 404, fixed("/v2/domains/nothing.example/renew"), lambda w: {}),
    Case(
        "PUT",
        "/domains/{domainName}/renew",
        409,
        lambda w: f"/v2/domains/{w.waiting_domain.domain_name}/renew",
        lambda w: {"will_renew": False},
    ),
    Case("GET", "/sslcertificaterequests", 200, fixed("/v2/sslcertificaterequests?skip=0&take=10")),
    Case("GET", "/sslcertificaterequests", 400, fixed("/v2/sslcertificaterequests?skip=x")),
    Case(
        "POST",
        "/sslcertificaterequests",
        201,
        fixed("/v2/sslcertificaterequests"),
        lambda w: {"csr": csr_for(f"shop.{w.account.identifier}"), "certificate_type": "standard"},
    ),
    Case("POST", "/sslcertificaterequests", 400, fixed("/v2/sslcertificaterequests"), lambda w: {"csr": "nonsense"}),
    Case(
        "POST",
        "/sslcertificaterequests",
        404,
        fixed("/v2/sslcertificaterequests"),
        lambda w: {"csr": csr_for("nothing.example")},
    ),
    Case("GET", "/sslcertificaterequests/{id}", 200, lambda w: f"/v2/sslcertificaterequests/{w.cert_request.pk}"),
    Case("GET", "/sslcertificaterequests/{id}", 303, lambda w: f"/v2/sslcertificaterequests/{w.issued.pk}"),
    Case("GET", "/sslcertificaterequests/{id}", 410, lambda w: f"/v2/sslcertificaterequests/{w.refused.pk}"),
    Case("GET", "/sslcertificaterequests/{id}", 404, fixed("/v2/sslcertificaterequests/999999")),
    Case("PUT", "/sslcertificaterequests/{id}", 202, lambda w: f"/v2/sslcertificaterequests/{w.cert_request.pk}"),
    Case("PUT", "/sslcertificaterequests/{id}", 303, lambda w: f"/v2/sslcertificaterequests/{w.issued.pk}"),
    Case("PUT", "/sslcertificaterequests/{id}", 410, lambda w: f"/v2/sslcertificaterequests/{w.refused.pk}"),
    Case("PUT", "/sslcertificaterequests/{id}", 404, fixed("/v2/sslcertificaterequests/999999")),
    Case("GET", "/sslcertificates", 200, fixed("/v2/sslcertificates")),
    Case("GET", "/sslcertificates", 400, fixed("/v2/sslcertificates?take=-3")),
    Case(
        "GET",
        "/sslcertificates/{sha1Fingerprint}",
        200,
        lambda w: f"/v2/sslcertificates/{w.certificate.sha1_fingerprint}",
    ),
    Case("GET", "/sslcertificates/{sha1Fingerprint}", 404, fixed("/v2/sslcertificates/" + "0" * 40)),
    Case(
        "GET",
        "/sslcertificates/{sha1Fingerprint}/download",
        200,
        lambda w: f"/v2/sslcertificates/{w.certificate.sha1_fingerprint}/download",
    ),
    Case(
        "GET",
        "/sslcertificates/{sha1Fingerprint}/download",
        400,
        lambda w: f"/v2/sslcertificates/{w.certificate.sha1_fingerprint}/download?file_format=pfx&password=x",
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sslsettings/{hostname}/letsencrypt",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sslsettings/{w.hosting.name}/letsencrypt",
        lambda w: {"enabled": False},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sslsettings/{hostname}/letsencrypt",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sslsettings/{w.hosting.name}/letsencrypt",
        lambda w: {"enabled": "perhaps"},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sslsettings/{hostname}/letsencrypt",
        404,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sslsettings/elsewhere.example/letsencrypt",
        lambda w: {"enabled": True},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sslsettings/{hostname}/autoredirect",
        204,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sslsettings/www.{w.hosting.name}/autoredirect",
        lambda w: {"enabled": True},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sslsettings/{hostname}/autoredirect",
        400,
        lambda w: f"/v2/linuxhostings/{w.hosting.name}/sslsettings/{w.hosting.name}/autoredirect",
        lambda w: {},
    ),
    Case(
        "PUT",
        "/linuxhostings/{domainName}/sslsettings/{hostname}/autoredirect",
        404,
        fixed("/v2/linuxhostings/nothing.example/sslsettings/nothing.example/autoredirect"),
        lambda w: {"enabled": True},
    ),
    Case("GET", "/dns/{domainName}/records", 200, lambda w: f"/v2/dns/{w.zone.name}/records?skip=0&take=10"),
    Case("GET", "/dns/{domainName}/records", 200, lambda w: f"/v2/dns/{w.zone.name}/records?type=TXT", note="type"),
    Case("GET", "/dns/{domainName}/records", 400, lambda w: f"/v2/dns/{w.zone.name}/records?take=-1"),
    Case("GET", "/dns/{domainName}/records", 404, fixed("/v2/dns/nothing.example/records")),
    Case(
        "POST",
        "/dns/{domainName}/records",
        201,
        lambda w: f"/v2/dns/{w.zone.name}/records",
        lambda w: {"type": "A", "record_name": "shop", "ttl": 300, "content": "192.0.2.8"},
    ),
    Case(
        "POST",
        "/dns/{domainName}/records",
        201,
        lambda w: f"/v2/dns/{w.zone.name}/records",
        lambda w: {"type": "SRV", "service": "_sip", "protocol": "TCP", "target": "sip.example.net", "port": 5060},
        note="SRV",
    ),
    Case(
        "POST",
        "/dns/{domainName}/records",
        400,
        lambda w: f"/v2/dns/{w.zone.name}/records",
        lambda w: {"type": "AAAA", "content": "192.0.2.8"},
    ),
    Case(
        "POST",
        "/dns/{domainName}/records",
        404,
        fixed("/v2/dns/nothing.example/records"),
        lambda w: {"type": "A", "content": "192.0.2.8"},
    ),
    Case(
        "GET",
        "/dns/{domainName}/records/{recordId}",
        200,
        lambda w: f"/v2/dns/{w.zone.name}/records/{w.dns_record.pk}",
    ),
    Case(
        "GET",
        "/dns/{domainName}/records/{recordId}",
        404,
        lambda w: f"/v2/dns/{w.zone.name}/records/{uuid.uuid4().hex}",
    ),
    Case(
        "PUT",
        "/dns/{domainName}/records/{recordId}",
        200,
        lambda w: f"/v2/dns/{w.zone.name}/records/{w.dns_record.pk}",
        lambda w: {"type": "TXT", "record_name": "@", "ttl": 600, "content": "v=spf1 mx -all"},
    ),
    Case(
        "PUT",
        "/dns/{domainName}/records/{recordId}",
        400,
        lambda w: f"/v2/dns/{w.zone.name}/records/{w.dns_record.pk}",
        lambda w: {"ttl": 5},
    ),
    Case(
        "PUT",
        "/dns/{domainName}/records/{recordId}",
        404,
        lambda w: f"/v2/dns/{w.zone.name}/records/{uuid.uuid4().hex}",
        lambda w: {"content": "x"},
    ),
    Case(
        "DELETE",
        "/dns/{domainName}/records/{recordId}",
        204,
        lambda w: f"/v2/dns/{w.zone.name}/records/{w.dns_record.pk}",
    ),
    Case("DELETE", "/dns/{domainName}/records/{recordId}", 404, fixed("/v2/dns/nothing.example/records/abc")),
]


@pytest.fixture
def world(api_world) -> SimpleNamespace:
    """`api_world` plus a job still pending and one that failed."""
    reseller = api_world.tenant["reseller"]

    def job(status: str, **fields) -> ProvisioningJob:
        return ProvisioningJob.objects.create(
            reseller=reseller,
            action="account.update",
            target_type="account",
            target_id="0",  # no object of the world: its writes are not held up by this job
            status=status,
            **fields,
        )

    # A domain still being registered: its changes wait (409).
    api_world.waiting_domain = Domain.objects.create(
        reseller=reseller, domain_name="waiting.example", status=DomainStatus.REGISTERING
    )
    # A certificate request that was issued (its certificate is the world's) and one whose validation failed.
    api_world.issued = CertificateRequest.objects.create(
        account=api_world.account,
        common_name=api_world.certificate.common_name,
        subject_alt_names=[api_world.certificate.common_name],
        csr_pem="-",
        status=RequestStatus.ISSUED,
        certificate=api_world.certificate,
    )
    api_world.refused = CertificateRequest.objects.create(
        account=api_world.account,
        common_name=f"nowhere.{api_world.account.identifier}",
        csr_pem="-",
        status=RequestStatus.FAILED,
        error="Validation failed",
    )
    api_world.pending_job = job(JobStatus.PENDING, estimate=timezone.now() + timedelta(seconds=30))
    api_world.failed_job = job(
        JobStatus.FAILED,
        finished_at=timezone.now(),
        error={"code": "driver_error", "detail": "The server refused.", "status": 500, "title": "Provisioning failed"},
    )
    return api_world


def response_schema(reference: dict, case: Case, status: int) -> tuple[dict | None, dict]:
    """The reference's JSON body schema for `status` of the case's operation (None: it declares no body), and
    the headers it declares. An error without a body schema there is held to the reference's one error body,
    `BadRequestResponse` (its introduction says error bodies carry an error code and message)."""
    operation = reference_operation(reference, case.method, case.reference_path)
    declared = operation["responses"].get(str(status), {})
    content = declared.get("content", {})
    schema = next((media["schema"] for kind, media in content.items() if "json" in kind), None)
    if schema is None and status >= 400:
        schema = {"$ref": "#/components/schemas/BadRequestResponse"}
    return schema, declared.get("headers", {})


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_paneel_answers_as_the_reference_describes(case, reference, world, api_client, client):
    operation = reference_operation(reference, case.method, case.reference_path)
    components = reference["components"]["schemas"]
    body = case.body(world) if case.body else None
    if body is not None and case.status < 300:  # what is sent is what a client of the reference would send
        request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert_valid(body, request_schema, components, f"{case.id} request")

    if case.signed:
        response = api_client(world.tenant, case.level).request(case.method, case.target(world), body)
    else:
        response = client.generic(case.method, case.target(world))

    assert response.status_code == case.status, response.content
    listed = {int(code) for code in operation["responses"]}
    assert case.status in listed or (case.method, case.reference_path, case.status) in DEVIATIONS, (
        f"{case.id}: the reference lists {sorted(listed)}; add the deviation and its reason to DEVIATIONS or fix it"
    )
    schema, headers = response_schema(reference, case, case.status)
    for name, declared in headers.items():
        assert response.has_header(name), f"{case.id}: the reference declares the {name} header"
        if declared.get("schema", {}).get("type") == "integer":
            assert response[name].isdigit(), f"{case.id}: {name}: {response[name]!r} is not an integer"
    if schema is None:
        assert response.content == b"", f"{case.id}: the reference declares no body"
    else:
        assert "json" in response["Content-Type"], response["Content-Type"]
        if not case.note.startswith("none"):
            assert response.json() != [], f"{case.id}: an empty list would validate against anything"
        assert_valid(response.json(), schema, components, case.id)


def test_shared_operations_take_the_reference_query_parameters_and_body_fields(reference, client, db):
    """What a client of the reference sends (query parameters, body fields and their types) Paneel documents too."""
    ours = client.get("/v2/openapi.json").json()
    base = reference_base(reference)
    our_paths = {shape(path): path for path in ours["paths"]}
    theirs_components = reference["components"]["schemas"]
    for (method, route), path in shared_operations(reference).items():
        theirs = reference_operation(reference, method, path)
        operation = ours["paths"][our_paths[route]][method.lower()]
        their_query = {p["name"] for p in theirs.get("parameters", []) if p["in"] == "query"}
        our_query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert their_query <= our_query, f"{method} {base}{path}: missing query parameters {their_query - our_query}"
        if "requestBody" not in theirs:
            continue
        their_body = json_schema(theirs["requestBody"]["content"]["application/json"]["schema"], theirs_components)
        our_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        our_body = ours["components"]["schemas"][our_ref.rsplit("/", 1)[1]]
        for name, field in their_body["properties"].items():
            assert name in our_body["properties"], f"{method} {base}{path}: body field {name} is not taken"
            assert our_body["properties"][name].get("type") == field.get("type"), f"{method} {path}: {name}"


# --- Meta-tests: every shared route and method has cases, and the tables name only what exists


def shared_operations(reference: dict) -> dict[tuple[str, str], str]:
    """(method, route shape) of every operation both Paneel and the reference have -> the reference's path."""
    base = reference_base(reference)
    theirs = {
        (method.upper(), shape(base + path)): path
        for path, item in reference["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    ours = {(method, shape(route)) for route, methods in api_routes().items() for method in methods}
    return {key: path for key, path in theirs.items() if key in ours}


# Shared operations that cannot succeed on Paneel's data -> why.
NO_SUCCESS_CASE = {("GET", "/windowshostings/{domainName}"): "Paneel offers no Windows hosting kind (issue 14)."}


def test_every_shared_route_and_method_has_a_success_and_an_error_case(reference):
    shared = shared_operations(reference)
    assert len(shared) >= 20, f"found only {sorted(shared)}: has the URL layout or the reference changed?"
    statuses: dict[tuple[str, str], set[int]] = {}
    for case in CASES:
        statuses.setdefault((case.method, case.reference_path), set()).add(case.status)
    missing = sorted(
        f"{method} {path}"
        for (method, _), path in shared.items()
        if (not any(s < 300 for s in statuses.get((method, path), ())) and (method, path) not in NO_SUCCESS_CASE)
        or not any(s >= 400 for s in statuses.get((method, path), ()))
    )
    assert missing == [], f"shared with the reference but without a success and an error case here: {missing}"


def test_cases_and_deviations_name_operations_of_both(reference):
    shared = set(shared_operations(reference).items())
    named = {(case.method, case.reference_path) for case in CASES} | {(m, p) for m, p, _ in DEVIATIONS}
    base = reference_base(reference)
    stale = sorted(f"{method} {path}" for method, path in named if ((method, shape(base + path)), path) not in shared)
    assert stale == []


def test_deviations_are_used_and_not_already_listed_by_the_reference(reference):
    used = {(case.method, case.reference_path, case.status) for case in CASES}
    for method, path, status in DEVIATIONS:
        assert (method, path, status) in used, f"no case shows the deviation {method} {path} {status}"
        listed = reference_operation(reference, method, path)["responses"]
        assert str(status) not in listed, f"{method} {path} {status} is what the reference lists: no deviation"


def test_additions_are_real_additions(reference):
    components = reference["components"]["schemas"]
    for name, fields in ADDITIONS.items():
        assert name in components, name
        assert components[name].get("additionalProperties") is False, f"{name} is open: no need to list additions"
        assert not set(fields) & set(components[name].get("properties", {})), f"{name} already has {fields}"
    for name, values in ENUM_ADDITIONS.items():
        assert "enum" in components.get(name, {}), f"{name} is no enum of the reference"
        assert not set(values) & set(components[name]["enum"]), f"{name} already has {values}"
