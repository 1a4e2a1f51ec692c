"""Property-based testing of API v2 against its own OpenAPI document (schemathesis): a live test server, the
document loaded from it, every operation called with generated (valid and invalid) data, each request signed with
the HMAC scheme by an API key of a seeded reseller. No answer may be a 5xx, and every answer's status, headers'
presence and body must be what /v2/openapi.json says. Bounded and derandomized, so a run is quick and repeatable.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.apikeys.services import create_api_key
from apps.assets import services as assets
from apps.core.crypto import encrypt
from apps.events.models import Webhook
from apps.events.services import create_webhook
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.servicepacks.models import AssetType
from paneel_client import signing
from tests.conftest import make_reseller
from tests.world import PASSWORD, build_world, make_account, make_pack

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# At least 100 generated cases per operation (valid and invalid ones: half each), then stateful sequences. Every
# run is derandomized, so CI repeats it exactly; PANEEL_FUZZ_EXAMPLES lowers or raises it for a local loop.
EXAMPLES_PER_OPERATION = int(os.environ.get("PANEEL_FUZZ_EXAMPLES", "100"))
STATEFUL_SCENARIOS = int(os.environ.get("PANEEL_FUZZ_SCENARIOS", "60"))
STATEFUL_STEPS = 8
# Far from the small ids generated integers favour: a generated DELETE /v2/ipwhitelist/{entry_id} must not take
# away the entry that lets the test's own requests in (that would only turn the rest of the run into 403s).
OWN_ENTRY_ID = 1_987_654_321
OWN_WEBHOOK_ID = 1_987_654_322


class HmacAuth(requests.auth.AuthBase):
    """Signs the request as it will be sent: method, raw path and query, and the body's bytes (DESIGN 6.1)."""

    def __init__(self, key: str, secret: str):
        self.key, self.secret = key, secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        request.headers["Authorization"] = signing.authorization_header(
            key=self.key,
            secret=self.secret,
            method=request.method,
            target=request.path_url,
            body=body.encode() if isinstance(body, str) else body,
            timestamp=int(time.time()),
            nonce=secrets.token_urlsafe(24),
        )
        return request


@pytest.fixture
def seeded(settings) -> dict:
    """A reseller's world (tests/world.py: an account with its Linux hosting, a MySQL database with a second user, a
    mailbox, a listed API key and whitelist entry), spares for the operations that change an account or delete,
    and the full-level key the test signs with (127.0.0.1 whitelisted)."""
    settings.PANEEL_RATELIMIT_READ_PER_MINUTE = settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE = 100_000
    settings.PANEEL_RATELIMIT_WRITE_PER_MINUTE = settings.PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE = 100_000
    tenant = make_reseller("fuzz")
    pack = make_pack(
        "Fuzz pack",
        (AssetType.LINUX_HOSTING, 1, 1024, True),
        (AssetType.MYSQL, 3, 500, False),
        (AssetType.MAILBOX, 5, 2048, False),
    )
    world = build_world(tenant, make_account(tenant, "fuzz.example", pack, ftp_password=PASSWORD))
    owner, account = world.owner, world.account
    # What the operations that change an account or delete get instead, so the objects above stay.
    doomed_account = make_account(tenant, "doomed.example", pack)
    spare_account = make_account(tenant, "spare.example", pack)
    spare_mysql, _ = assets.create_asset(
        principal=owner, account_id=account.pk, asset_type="mysql", fields={"database_name": "spare"}, password=PASSWORD
    )
    spare_mailbox, _ = assets.create_asset(
        principal=owner,
        account_id=account.pk,
        asset_type="mailbox",
        fields={"email_address": "spare@fuzz.example"},
        password=PASSWORD,
    )
    assets.add_database_user(
        principal=owner, asset_id=world.mysql.pk, name="doomed", password=PASSWORD, rights="read_only"
    )
    IpWhitelistEntry.objects.create(pk=OWN_ENTRY_ID, reseller=world.reseller, cidr="127.0.0.1", description="the test")
    api_key, secret = create_api_key(principal=owner, level="full", name="schemathesis")
    existing = {
        "account_id": account.pk,
        "database_name": world.mysql.name,
        "user_name": world.db_user,
        "mailbox_name": world.mailbox.name,
        "domain_name": account.identifier,
        "job_id": str(world.job.pk),
        "key": world.api_key.key,
        "entry_id": world.entry.pk,
        "event_id": world.event.pk,
        "webhook_id": OWN_WEBHOOK_ID,
        "delivery_id": world.delivery.pk,
        "email_address": world.alias.email_address,
        "hostname": world.smtp_domain.hostname,
        "record_id": world.dns_record.pk,
        "scheduled_task_id": world.task_id,
        "site_name": world.hosting.name,
        "fingerprint": world.ssh_fingerprint,
        "sha1_fingerprint": world.certificate.sha1_fingerprint,
        "id": str(world.cert_request.pk),
    }
    # As OWN_ENTRY_ID: far from the small ids a generated DELETE /v2/webhooks/{webhook_id} favours.
    Webhook.objects.create(
        pk=OWN_WEBHOOK_ID, reseller=world.reseller, url="https://hooks.kept.example/", secret_encrypted=encrypt("x")
    )
    doomed_webhook, _ = create_webhook(principal=owner, url="https://hooks.doomed.example/", event_types=["x.y"])
    spare = {
        ("DELETE", "/v2/webhooks/{webhook_id}"): {"webhook_id": doomed_webhook.pk},
        ("DELETE", "/v2/accounts/{account_id}"): {"account_id": doomed_account.pk},
        ("PUT", "/v2/accounts/{account_id}/servicepack"): {"account_id": spare_account.pk},
        ("PUT", "/v2/accounts/{account_id}/suspension"): {"account_id": spare_account.pk},
        ("DELETE", "/v2/accounts/{account_id}/suspension"): {"account_id": spare_account.pk},
        ("DELETE", "/v2/mysqldatabases/{database_name}"): {"database_name": spare_mysql.name},
        ("DELETE", "/v2/mailboxes/{mailbox_name}"): {"mailbox_name": spare_mailbox.name},
        ("DELETE", "/v2/mysqldatabases/{database_name}/users/{user_name}"): {"user_name": f"pn{account.pk}_doomed"},
    }
    return {"auth": HmacAuth(api_key.key, secret), "existing": existing, "spare": spare}


@pytest.fixture
def api_schema(live_server, seeded):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/v2/openapi.json")
    existing, spare = seeded["existing"], seeded["spare"]

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half the cases name objects that exist (a spare one where the operation changes an account or
        deletes); generated ids that happen to be the seeded account's are turned to the spare one too."""
        if not path_parameters:
            return st.just(path_parameters)
        operation = context.operation
        values = {**existing, **spare.get((operation.method.upper(), operation.path), {})}
        generated = dict(path_parameters)
        if generated.get("account_id") == existing["account_id"]:
            generated["account_id"] = values["account_id"]
        known = {name: values[name] for name in generated if name in values}
        return st.sampled_from([generated, {**generated, **known}])

    return schema


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def check_operation(operation, mode: GenerationMode, auth: HmacAuth, statuses: Counter) -> None:
    """Half of EXAMPLES_PER_OPERATION generated cases of one operation in `mode`; hypothesis shrinks a failing one."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=(EXAMPLES_PER_OPERATION + 1) // 2,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
    )
    def run(case):
        response = case.call_and_validate(auth=auth, checks=CHECKS)
        statuses[response.status_code] += 1

    run()


def test_api_answers_as_its_openapi_document_says(api_schema, seeded):
    # schemathesis' own pytest plugin (`@schema.parametrize()`) does not run under pytest 9 (it sets a node
    # attribute pytest removed), so each operation is driven here with its strategy and hypothesis directly.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 35, [operation.label for operation in operations]
    failures = []
    statuses: dict[str, Counter] = {}
    for operation in operations:
        statuses[operation.label] = Counter()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                check_operation(operation, mode, seeded["auth"], statuses[operation.label])
            except Unsatisfiable:  # nothing it takes can be invalid (only free-form strings): no negative case
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as exc:  # report every operation's failure, not only the first
                failures.append(f"{operation.label} ({mode.value}):\n{exc}")
    assert not failures, "\n\n".join(failures)
    # A run that never got past authentication (every answer a documented 401) would prove nothing.
    summary = "\n".join(f"{label}: {dict(sorted(counter.items()))}" for label, counter in statuses.items())
    never_answered = [
        label
        for label, counter in statuses.items()
        if label.startswith("GET ") and not counter.keys() & range(200, 400) and label not in NOTHING_TO_FIND
    ]
    assert never_answered == [], summary


# Operations with nothing to find while Paneel offers no such kind: every answer is a documented 404.
NOTHING_TO_FIND = {"GET /v2/windowshostings/{domain_name}"}


STATEFUL_SEED = 20261201


def test_stateful_sequences_answer_as_the_document_says(api_schema, seeded):
    """Sequences of calls chained by the links schemathesis infers from the document (an id a POST or a list answers
    is used by the GET, PUT and DELETE that take it): no 5xx, and every answer as documented. Seeded, so a run is
    repeatable; a session whose replay the server's changed state made inconsistent goes on in a fresh one (as
    schemathesis' own runner does), until STATEFUL_SCENARIOS scenarios have run."""
    auth, statuses = seeded["auth"], Counter()
    own_key = auth.key
    scenarios = [0]

    class Sequences(api_schema.as_state_machine()):
        def setup(self):
            scenarios[0] += 1

        def before_call(self, case):
            # Links schemathesis infers may put an id (an integer) into a header, which requests refuses to send.
            if case.headers:
                case.headers = {name: str(value) for name, value in case.headers.items()}
            # Revoking the key the test signs with, or removing the entry that lets it in, would only turn the rest
            # of the run into 401s and 403s: the listed spare ones go instead.
            parameters = case.path_parameters or {}
            if case.operation.path == "/v2/apikeys/{key}" and parameters.get("key") == own_key:
                parameters["key"] = seeded["existing"]["key"]
            if case.operation.path == "/v2/ipwhitelist/{entry_id}" and str(parameters.get("entry_id")) == str(
                OWN_ENTRY_ID
            ):
                parameters["entry_id"] = seeded["existing"]["entry_id"]

        def get_call_kwargs(self, case):
            return {"auth": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            statuses[(case.operation.label, response.status_code)] += 1
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    for attempt in range(20):
        remaining = STATEFUL_SCENARIOS - scenarios[0]
        if remaining <= 0:
            break
        run = seed(STATEFUL_SEED + attempt)(Sequences)
        try:
            run.run(
                settings=settings(
                    max_examples=remaining,
                    stateful_step_count=STATEFUL_STEPS,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                    # No shrinking: a sequence's later steps depend on the server's state, which no replay restores.
                    phases=[Phase.generate],
                )
            )
        except FlakyStrategyDefinition:
            continue
    assert scenarios[0] >= STATEFUL_SCENARIOS, scenarios
    # The sequences reached past authentication and into objects they made or found.
    successes = {label for (label, status), count in statuses.items() if 200 <= status < 300}
    assert len(successes) >= 12, statuses
