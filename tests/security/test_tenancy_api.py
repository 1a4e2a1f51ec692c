"""Tenancy through the API door (DESIGN 5, STYLE "Scope every id that comes in"): a key of reseller A never
sees or touches reseller B's objects. Every route and method of `apps.api.urls` has a case in the tables below
(a meta-test enforces it); each case is sent twice, once at B's object (404 `not_found`, B's rows unchanged)
and once at A's own (2xx), so a 404 always means "not yours", never "wrong URL in the test".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import resolve
from django.urls.exceptions import Resolver404

from apps.accounts.models import Account
from apps.api import problems
from apps.apikeys.models import ApiKey
from apps.assets.models import Asset
from apps.certificates.models import Certificate, CertificateRequest
from apps.core.models import AuditEvent
from apps.domains.models import Domain
from apps.events.models import Event, Webhook
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.provisioning.models import ProvisioningJob
from apps.resellers.models import Reseller
from apps.servicepacks.models import ServicePack
from tests.api_routes import api_operations, api_routes, shape

# The fixtures of the two worlds (tests/world.py): imported, they are built once for this module.
from tests.world import (  # noqa: F401 (fixtures)
    PASSWORD,
    REGISTRANT,
    csr_for,
    ssh_public_key,
    tenant_rows,
    world_a_fixture,
    world_b_fixture,
    worlds_fixture,
)

# ---------------------------------------------------------------------------------------------------------------
# Two worlds: one object of every kind for A and for B, built through the services (tests/world.py)


@pytest.fixture
def client_a(api_client, world_a):
    client = api_client(world_a.tenant, "full")
    # A first request records the key's last use (once a minute), so A's snapshots below stay still.
    assert client.get("/v2/servicepacks").status_code == 200
    return client


def placeholders(world: SimpleNamespace) -> dict[str, Any]:
    """What the `{...}` of a route template stand for in a world."""
    return {
        "account": world.account.pk,
        "paused": world.paused.pk,
        "mysql": world.mysql.name,
        "db_user": world.db_user,
        "mailbox": world.mailbox.name,
        "hosting": world.hosting.name,
        "subsite": world.subsite,
        "fingerprint": world.ssh_fingerprint,
        "task": world.task_id,
        "job": world.job.pk,
        "api_key": world.api_key.key,
        "entry": world.entry.pk,
        "event": world.event.pk,
        "webhook": world.webhook.pk,
        "delivery": world.delivery.pk,
        "zone": world.mail_zone.name,
        "catch_all": world.mail_zone.catch_all[0],
        "alias": world.alias.email_address,
        "smtp_domain": world.smtp_domain.hostname,  # "zone": the mail zone's name is the DNS zone's
        "dns_record": world.dns_record.pk,
        "cert_request": world.cert_request.pk,
        "domain": world.domain.domain_name,
        "certificate": world.certificate.sha1_fingerprint,
    }


def snapshot(reseller: Reseller) -> dict[str, list[dict]]:
    """Every row that belongs to `reseller`, and the packs restricted to it, as they are now."""
    rows = tenant_rows(reseller)
    rows["ServicePack"] = list(ServicePack.objects.filter(allowed_resellers=reseller).order_by("pk").values())
    return rows


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found", response.json()


def assert_success(response) -> None:
    assert 200 <= response.status_code < 300, response.content


# ---------------------------------------------------------------------------------------------------------------
# The matrix


@dataclass(frozen=True)
class Case:
    """`route` names objects with `{placeholders}`; `body(caller, target)` is the JSON body, if any."""

    method: str
    route: str
    body: Callable[[SimpleNamespace, SimpleNamespace], dict] | None = None
    level: str = "write"  # what the route needs for this method (tests/api/test_levels.py)

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"

    def target(self, world: SimpleNamespace) -> str:
        return self.route.format(**placeholders(world))

    def send(self, client, *, target: SimpleNamespace, caller: SimpleNamespace):
        body = self.body(caller, target) if self.body else None
        return client.request(self.method, self.target(target), body)


# Routes that name one object: asked at B's object with A's key, each must be a 404 that changes nothing.
OBJECT_CASES = [
    Case("GET", "/v2/accounts/{account}", level="read"),
    Case("DELETE", "/v2/accounts/{account}"),
    Case("PUT", "/v2/accounts/{account}/servicepack", lambda caller, target: {"servicepack_id": caller.big_pack.pk}),
    Case("PUT", "/v2/accounts/{account}/suspension"),
    Case("DELETE", "/v2/accounts/{paused}/suspension"),
    Case("GET", "/v2/mysqldatabases/{mysql}", level="read"),
    Case("DELETE", "/v2/mysqldatabases/{mysql}"),
    Case("GET", "/v2/mysqldatabases/{mysql}/users", level="read"),
    Case("POST", "/v2/mysqldatabases/{mysql}/users", lambda caller, target: {"name": "intruder", "password": PASSWORD}),
    Case("DELETE", "/v2/mysqldatabases/{mysql}/users/{db_user}"),
    Case("PUT", "/v2/mysqldatabases/{mysql}/users/{db_user}/status", lambda caller, target: {"enabled": False}),
    Case(
        "PUT", "/v2/mysqldatabases/{mysql}/users/{db_user}/password", lambda caller, target: {"password": "Stolen1234"}
    ),
    Case("GET", "/v2/mailboxes/{mailbox}", level="read"),
    Case("DELETE", "/v2/mailboxes/{mailbox}"),
    Case("PUT", "/v2/mailboxes/{mailbox}/password", lambda caller, target: {"password": "Stolen1234"}),
    Case("PUT", "/v2/mailboxes/{mailbox}/autoreply", lambda caller, target: {"enabled": True, "message": "Gone."}),
    Case(
        "PUT",
        "/v2/mailboxes/{mailbox}/autoforward",
        lambda caller, target: {"enabled": True, "email_addresses": ["thief@elsewhere.example"]},
    ),
    Case("GET", "/v2/mailzones/{zone}", level="read"),
    Case("POST", "/v2/mailzones/{zone}/catchall", lambda caller, target: {"email_address": "thief@elsewhere.example"}),
    Case("DELETE", "/v2/mailzones/{zone}/catchall/{catch_all}"),
    Case("PUT", "/v2/mailzones/{zone}/antispam", lambda caller, target: {"type": "none"}),
    Case(
        "POST",
        "/v2/mailzones/{zone}/aliases",
        lambda caller, target: {
            "email_address": f"thief@{target.account.identifier}",
            "destinations": ["thief@elsewhere.example"],
        },
    ),
    Case(
        "PUT",
        "/v2/mailzones/{zone}/aliases/{alias}",
        lambda caller, target: {"destinations": ["thief@elsewhere.example"]},
    ),
    Case("DELETE", "/v2/mailzones/{zone}/aliases/{alias}"),
    Case(
        "POST",
        "/v2/mailzones/{zone}/smtpdomains",
        lambda caller, target: {"hostname": f"{target.reseller.slug}-stolen.example"},
    ),
    Case("PUT", "/v2/mailzones/{zone}/smtpdomains/{smtp_domain}", lambda caller, target: {"enabled": False}),
    Case("DELETE", "/v2/mailzones/{zone}/smtpdomains/{smtp_domain}"),
    Case("GET", "/v2/linuxhostings/{hosting}", level="read"),
    Case("PUT", "/v2/linuxhostings/{hosting}/phpsettings/version", lambda caller, target: {"version": "8.1"}),
    Case("GET", "/v2/linuxhostings/{hosting}/phpsettings/availableversions", level="read"),
    Case("PUT", "/v2/linuxhostings/{hosting}/phpsettings/memorylimit", lambda caller, target: {"memory_limit": 256}),
    Case(
        "PUT", "/v2/linuxhostings/{hosting}/phpsettings/apcu", lambda caller, target: {"enabled": True, "apcu_size": 64}
    ),
    Case("PUT", "/v2/linuxhostings/{hosting}/settings/gzipcompression", lambda caller, target: {"enabled": False}),
    Case(
        "POST",
        "/v2/linuxhostings/{hosting}/subsites",
        lambda caller, target: {"domain_name": f"news.{target.account.identifier}"},
    ),
    Case("DELETE", "/v2/linuxhostings/{hosting}/subsites/{subsite}"),
    Case(
        "POST",
        "/v2/linuxhostings/{hosting}/sites/{hosting}/hostheaders",
        lambda caller, target: {"domain_name": f"alias.{target.account.identifier}"},
    ),
    Case(
        "PUT",
        "/v2/linuxhostings/{hosting}/sites/{hosting}/http2/configuration",
        lambda caller, target: {"enabled": False},
    ),
    Case("PUT", "/v2/linuxhostings/{hosting}/ftp/configuration", lambda caller, target: {"enabled": False}),
    Case("PUT", "/v2/linuxhostings/{hosting}/ssh/configuration", lambda caller, target: {"enabled": True}),
    Case("GET", "/v2/linuxhostings/{hosting}/ssh/keys", level="read"),
    Case("POST", "/v2/linuxhostings/{hosting}/ssh/keys", lambda caller, target: {"public_key": ssh_public_key("new")}),
    Case("DELETE", "/v2/linuxhostings/{hosting}/ssh/keys/{fingerprint}"),
    Case("GET", "/v2/linuxhostings/{hosting}/scheduledtasks", level="read"),
    Case(
        "POST",
        "/v2/linuxhostings/{hosting}/scheduledtasks",
        lambda caller, target: {"enabled": True, "cron_expression": "0 3 * * *", "script_location": "/s.sh"},
    ),
    Case("GET", "/v2/linuxhostings/{hosting}/scheduledtasks/{task}", level="read"),
    Case(
        "PUT",
        "/v2/linuxhostings/{hosting}/scheduledtasks/{task}",
        lambda caller, target: {"enabled": False, "cron_expression": "*/5 * * * *", "script_location": "/s.sh"},
    ),
    Case("DELETE", "/v2/linuxhostings/{hosting}/scheduledtasks/{task}"),
    Case("GET", "/v2/provisioningjobs/{job}", level="read"),
    Case("GET", "/v2/apikeys/{api_key}", level="full"),
    Case("DELETE", "/v2/apikeys/{api_key}", level="full"),
    Case("GET", "/v2/dns/{zone}/records", level="read"),
    Case("POST", "/v2/dns/{zone}/records", lambda caller, target: {"type": "TXT", "content": "intruder"}),
    Case("GET", "/v2/dns/{zone}/records/{dns_record}", level="read"),
    Case("PUT", "/v2/dns/{zone}/records/{dns_record}", lambda caller, target: {"content": "v=spf1 -all"}),
    Case("DELETE", "/v2/dns/{zone}/records/{dns_record}"),
    Case("GET", "/v2/sslcertificaterequests/{cert_request}", level="read"),
    Case("PUT", "/v2/sslcertificaterequests/{cert_request}"),
    Case("GET", "/v2/sslcertificates/{certificate}", level="read"),
    Case("GET", "/v2/sslcertificates/{certificate}/download", level="read"),
    Case(
        "PUT",
        "/v2/linuxhostings/{hosting}/sslsettings/{hosting}/letsencrypt",
        lambda caller, target: {"enabled": False},
    ),
    Case(
        "PUT",
        "/v2/linuxhostings/{hosting}/sslsettings/{hosting}/autoredirect",
        lambda caller, target: {"enabled": True},
    ),
    Case("GET", "/v2/domains/{domain}", level="read"),
    Case(
        "PUT",
        "/v2/domains/{domain}/nameservers",
        lambda caller, target: {"name_servers": ["ns1.evil.example", "ns2.evil.example"]},
    ),
    Case("PUT", "/v2/domains/{domain}/renew", lambda caller, target: {"will_renew": False}),
    Case("GET", "/v2/ipwhitelist/{entry}", level="full"),
    Case("DELETE", "/v2/ipwhitelist/{entry}", level="full"),
    Case("POST", "/v2/events/{event}/ack"),
    Case("GET", "/v2/webhooks/{webhook}", level="full"),
    Case(
        "PUT",
        "/v2/webhooks/{webhook}",
        lambda caller, target: {"url": "https://hooks.example.com/moved", "event_types": ["*"]},
        level="full",
    ),
    Case("DELETE", "/v2/webhooks/{webhook}", level="full"),
    Case("GET", "/v2/webhooks/{webhook}/deliveries", level="full"),
    Case("POST", "/v2/webhooks/{webhook}/deliveries/{delivery}/replay", level="full"),
]

# Ids inside bodies: A's own route, B's id in the body. Not found, and nothing is created or changed.
BODY_CASES = [
    Case(
        "POST",
        "/v2/accounts",
        lambda caller, target: {
            "identifier": f"{caller.reseller.slug}-new.example",
            "servicepack_id": target.restricted_pack.pk,
            "ftp_password": PASSWORD,
        },
    ),
    Case(
        "PUT",
        "/v2/accounts/{account}/servicepack",
        lambda caller, target: {"servicepack_id": target.restricted_pack.pk},
    ),
    Case(
        "POST",
        "/v2/mysqldatabases",
        lambda caller, target: {"database_name": "stolen", "account_id": target.account.pk, "password": PASSWORD},
    ),
    Case(
        "POST",
        "/v2/mailboxes",
        lambda caller, target: {
            "email_address": f"new@{target.account.identifier}",
            "account_id": target.account.pk,
            "password": PASSWORD,
        },
    ),
    Case("POST", "/v2/events/ack", lambda caller, target: {"ids": [target.event.pk]}),
]

# Bulk creates: A's own route, B's id in an item. That item is not found (207, its result a 404) and nothing is
# created or changed; with A's own id instead it is created.
BULK_CASES = [
    Case(
        "POST",
        "/v2/accounts/bulk",
        lambda caller, target: [
            {
                "identifier": f"{caller.reseller.slug}-bulk.example",
                "servicepack_id": target.restricted_pack.pk,
                "ftp_password": PASSWORD,
            }
        ],
    ),
    Case(
        "POST",
        "/v2/mailboxes/bulk",
        lambda caller, target: [
            {
                "email_address": f"bulk@{target.account.identifier}",
                "account_id": target.account.pk,
                "password": PASSWORD,
            }
        ],
    ),
]

BODY_CASES.append(
    Case("POST", "/v2/sslcertificaterequests", lambda caller, target: {"csr": csr_for(target.account.identifier)})
)

# Creations that carry no id at all: what they create belongs to the caller's reseller.
CREATE_CASES = [
    Case(
        "POST",
        "/v2/domains/registrations",
        lambda caller, target: {"domain_name": f"{caller.reseller.slug}-more.example", "registrant": REGISTRANT},
    ),
    Case(
        "POST",
        "/v2/domains/transfers",
        lambda caller, target: {
            "domain_name": f"{caller.reseller.slug}-moved.example",
            "auth_code": "abc",
            "registrant": REGISTRANT,
        },
    ),
    Case("POST", "/v2/apikeys", lambda caller, target: {"level": "read", "name": "created"}, level="full"),
    Case("POST", "/v2/ipwhitelist", lambda caller, target: {"cidr": "203.0.113.0/24"}, level="full"),
    Case(
        "POST",
        "/v2/webhooks",
        lambda caller, target: {"url": "https://hooks.example.com/new", "event_types": ["account.*"]},
        level="full",
    ),
]


@dataclass(frozen=True)
class ListCase:
    """A collection: `key` picks an item's identity; `own`/`foreign` give the identities a world holds."""

    route: str
    key: str
    ids: Callable[[SimpleNamespace], set]
    level: str = "read"
    # (filter name, value in a world) pairs: B's value must give an empty list, A's a non-empty one.
    filters: list[tuple[str, Callable[[SimpleNamespace], Any]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"GET {self.route}"


def asset_names(asset_type: str) -> Callable[[SimpleNamespace], set]:
    return lambda w: set(
        Asset.objects.filter(reseller=w.reseller, asset_type=asset_type).values_list("name", flat=True)
    )


LIST_CASES = [
    ListCase(
        "/v2/servicepacks",
        "id",
        lambda w: set(ServicePack.objects.filter(allowed_resellers=w.reseller).values_list("pk", flat=True)),
    ),
    ListCase(
        "/v2/accounts",
        "id",
        lambda w: set(Account.objects.filter(reseller=w.reseller).values_list("pk", flat=True)),
        filters=[
            ("servicepack_id", lambda w: w.restricted_pack.pk),  # A's finds A's account on it
            ("identifier", lambda w: w.account.identifier),
        ],
    ),
    ListCase(
        "/v2/mysqldatabases",
        "name",
        asset_names("mysql"),
        filters=[("account_id", lambda w: w.account.pk)],
    ),
    ListCase(
        "/v2/mailboxes",
        "name",
        asset_names("mailbox"),
        filters=[("account_id", lambda w: w.account.pk), ("domain_name", lambda w: w.account.identifier)],
    ),
    ListCase(
        "/v2/linuxhostings",
        "domain_name",
        asset_names("linux_hosting"),
        filters=[("account_id", lambda w: w.account.pk)],
    ),
    ListCase(
        "/v2/ssh",
        "fingerprint",
        lambda w: {
            key["fingerprint"]
            for details in Asset.objects.filter(reseller=w.reseller, asset_type="linux_hosting").values_list(
                "details", flat=True
            )
            for key in details.get("ssh_keys", [])
        },
    ),
    ListCase(
        "/v2/provisioningjobs",
        "id",
        lambda w: {str(pk) for pk in ProvisioningJob.objects.filter(reseller=w.reseller).values_list("pk", flat=True)},
        filters=[("target_id", lambda w: w.mysql.pk)],
    ),
    ListCase(
        "/v2/sslcertificaterequests",
        "id",
        lambda w: set(CertificateRequest.objects.filter(account__reseller=w.reseller).values_list("pk", flat=True)),
    ),
    ListCase(
        "/v2/sslcertificates",
        "sha1_fingerprint",
        lambda w: set(
            Certificate.objects.filter(account__reseller=w.reseller).values_list("sha1_fingerprint", flat=True)
        ),
    ),
    ListCase(
        "/v2/domains",
        "domain_name",
        lambda w: set(Domain.objects.filter(reseller=w.reseller).values_list("domain_name", flat=True)),
    ),
    ListCase(
        "/v2/apikeys",
        "key",
        lambda w: set(ApiKey.objects.filter(reseller=w.reseller).values_list("key", flat=True)),
        level="full",
    ),
    ListCase(
        "/v2/ipwhitelist",
        "id",
        lambda w: set(IpWhitelistEntry.objects.filter(reseller=w.reseller).values_list("pk", flat=True)),
        level="full",
    ),
    ListCase(
        "/v2/auditevents",
        "id",
        lambda w: set(AuditEvent.objects.filter(reseller=w.reseller).values_list("pk", flat=True)),
        filters=[("object_id", lambda w: w.mysql.pk)],
    ),
    ListCase(
        "/v2/events",
        "id",
        lambda w: set(Event.objects.filter(reseller=w.reseller).values_list("pk", flat=True)),
    ),
    ListCase(
        "/v2/webhooks",
        "id",
        lambda w: set(Webhook.objects.filter(reseller=w.reseller).values_list("pk", flat=True)),
        level="full",
    ),
]


# ---------------------------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("case", OBJECT_CASES, ids=lambda c: c.id)
def test_foreign_object_is_not_found_and_unchanged(case, client_a, world_a, world_b):
    before = snapshot(world_b.reseller)
    assert_not_found(case.send(client_a, target=world_b, caller=world_a))
    assert snapshot(world_b.reseller) == before
    # The same request at A's own object goes through: the 404 above is about the owner, not the URL.
    assert_success(case.send(client_a, target=world_a, caller=world_a))


@pytest.mark.parametrize("case", BODY_CASES, ids=lambda c: c.id)
def test_foreign_id_in_the_body_is_not_found(case, client_a, world_a, world_b):
    before_a, before_b = snapshot(world_a.reseller), snapshot(world_b.reseller)
    route = case.target(world_a)  # A's own route (and account), B's id in the body
    assert_not_found(client_a.request(case.method, route, case.body(world_a, world_b)))
    assert snapshot(world_b.reseller) == before_b
    assert snapshot(world_a.reseller) == before_a
    # With A's own id instead, the same request goes through.
    assert_success(client_a.request(case.method, route, case.body(world_a, world_a)))


@pytest.mark.parametrize("case", BULK_CASES, ids=lambda c: c.id)
def test_foreign_id_in_a_bulk_item_is_not_found(case, client_a, world_a, world_b):
    before_a, before_b = snapshot(world_a.reseller), snapshot(world_b.reseller)
    response = client_a.request(case.method, case.route, case.body(world_a, world_b))
    assert response.status_code == 207, response.content
    [result] = response.json()
    assert (result["status"], result["problem"]["code"]) == (404, "not_found")
    assert snapshot(world_b.reseller) == before_b
    assert snapshot(world_a.reseller) == before_a
    [result] = client_a.request(case.method, case.route, case.body(world_a, world_a)).json()
    assert result["status"] in (201, 202), result


@pytest.mark.parametrize("case", CREATE_CASES, ids=lambda c: c.id)
def test_creation_belongs_to_the_callers_reseller(case, client_a, world_a, world_b):
    before_b = snapshot(world_b.reseller)
    model = {
        "/v2/apikeys": ApiKey,
        "/v2/ipwhitelist": IpWhitelistEntry,
        "/v2/webhooks": Webhook,
        "/v2/domains/registrations": Domain,
        "/v2/domains/transfers": Domain,
    }[case.route]
    existing = set(model.objects.values_list("pk", flat=True))
    response = case.send(client_a, target=world_a, caller=world_a)
    assert response.status_code in (201, 202), response.content
    created = model.objects.exclude(pk__in=existing)
    assert [row.reseller_id for row in created] == [world_a.reseller.pk]
    assert snapshot(world_b.reseller) == before_b


def listed(client, route: str, key: str, query: str = "") -> list:
    response = client.get(f"{route}?take=100{query}")
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()]


@pytest.mark.parametrize("case", LIST_CASES, ids=lambda c: c.id)
def test_list_shows_own_objects_and_none_of_another_reseller(case, client_a, world_a, world_b):
    items = listed(client_a, case.route, case.key)
    own, foreign = case.ids(world_a), case.ids(world_b)
    assert own and foreign, "the worlds should hold objects of this kind"
    assert len(items) == len(set(items))
    assert own <= set(items), (own, items)
    assert not foreign & set(items), (foreign, items)


@pytest.mark.parametrize(
    ("case", "name"),
    [(case, name) for case in LIST_CASES for name, _ in case.filters],
    ids=lambda value: value.id if isinstance(value, ListCase) else value,
)
def test_foreign_id_as_list_filter_gives_an_empty_list(case, name, client_a, world_a, world_b):
    value_of = dict(case.filters)[name]
    assert listed(client_a, case.route, case.key, f"&{name}={value_of(world_b)}") == []
    # The filter is applied, not ignored: A's own value finds A's object.
    assert listed(client_a, case.route, case.key, f"&{name}={value_of(world_a)}") != []


@pytest.mark.parametrize("case", [c for c in OBJECT_CASES if c.method == "GET"], ids=lambda c: c.id)
@pytest.mark.parametrize("garbage", ["0", "999999", "not-a-uuid", "x.y-z_", "1%20OR%201%3D1", "..%2F1"])
def test_unknown_or_malformed_object_id_is_not_found(case, garbage, client_a, world_a):
    target = re.sub(r"\{(\w+)\}", garbage, case.route)
    assert_not_found(client_a.get(target))


# ---------------------------------------------------------------------------------------------------------------
# Meta-tests: the tables above cover every route, and nothing else


# Routes of kinds Paneel does not offer (no reseller has such objects): the list is empty and every name is 404,
# also the names of another reseller's objects of the kinds it does offer.
KINDLESS_ROUTES = ["/v2/windowshostings", "/v2/windowshostings/{hosting}"]


@pytest.mark.parametrize("route", KINDLESS_ROUTES)
def test_routes_of_kinds_paneel_does_not_offer_show_nothing(route, client_a, world_a, world_b):
    if "{" not in route:
        assert listed(client_a, route, "domain_name") == []
        return
    for world in (world_b, world_a):
        assert_not_found(client_a.get(route.format(hosting=world.hosting.name)))


def covered() -> set[tuple[str, str]]:
    cases = [*OBJECT_CASES, *BODY_CASES, *BULK_CASES, *CREATE_CASES]
    return (
        {(shape(c.route), c.method) for c in cases}
        | {(shape(c.route), "GET") for c in LIST_CASES}
        | {(shape(route), "GET") for route in KINDLESS_ROUTES}
    )


def test_every_api_route_and_method_has_a_tenancy_case():
    routes = api_routes()
    assert len(routes) >= 20, f"found only {sorted(routes)}: has the URL layout changed?"
    missing = sorted(f"{method} {route}" for route, method in api_operations() - covered())
    assert missing == [], f"API routes without a tenancy case in tests/security/test_tenancy_api.py: {missing}"


def test_every_tenancy_case_names_an_existing_route_and_method():
    stale = sorted(f"{method} {route}" for route, method in covered() - api_operations())
    assert stale == [], f"tenancy cases for routes or methods that do not exist: {stale}"


@pytest.mark.parametrize("case", [*OBJECT_CASES, *BODY_CASES, *BULK_CASES, *CREATE_CASES], ids=lambda c: c.id)
def test_case_route_resolves_to_an_api_view(case):
    path = re.sub(r"\{(\w+)\}", "1", case.route)
    try:
        match = resolve(path)
    except Resolver404:  # pragma: no cover - the catch-all makes this unreachable
        pytest.fail(f"{path} does not resolve")
    assert match.func is not problems.not_found, f"{case.route} is not routed (the catch-all answered)"
