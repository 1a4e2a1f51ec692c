"""The panel's route matrix: every panel URL, the level it needs and the object it names.

A meta-test finds every route of the panel's namespaces; a new route that is not in ROUTES (and so not tested for
sign-in, level, cross-reseller 404 and CSRF below) fails the build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.apikeys.models import ApiKey
from apps.core.models import AuditEvent
from apps.core.principal import Level
from apps.provisioning.models import ProvisioningJob
from tests.world import REGISTRANT

from .conftest import signed_in

PANEL_NAMESPACES = {
    "panel",
    "resellers",
    "servicepacks",
    "accounts",
    "assets",
    "provisioning",
    "apikeys",
    "ipwhitelist",
    "webhooks",
    "mail",
    "dns",
    "domains",
    "certificates",
}
VALID_PASSWORD = "Secret123x"


@dataclass(frozen=True)
class Route:
    level: str
    obj: str | None = None  # the `world` attribute whose object the URL names
    methods: tuple[str, ...] = ("GET",)
    data: Callable[[object], dict] = field(default=lambda w: {})
    extra: dict = field(default_factory=dict)  # further URL kwargs


KWARG = {
    "account": "account_id",
    "asset": "asset_id",
    "job": "job_id",
    "api_key": "api_key_id",
    "oauth_app": "application_id",
    "whitelist_entry": "entry_id",
    "membership": "membership_id",
    "webhook": "webhook_id",
    "delivery": "delivery_id",
    "mailbox": "asset_id",
    "dns_record": "record_id",
    "domain": "domain_id",
}

GET_POST = ("GET", "POST")

ROUTES: dict[str, Route] = {
    "panel:dashboard": Route(Level.READ),
    "panel:switch": Route(Level.READ, methods=GET_POST, data=lambda w: {"reseller_id": w.account.reseller_id}),
    "resellers:members": Route(
        Level.FULL, methods=GET_POST, data=lambda w: {"email": "outsider@example.test", "level": "read"}
    ),
    "resellers:member_level": Route(Level.FULL, "membership", ("POST",), lambda w: {"level": "write"}),
    "resellers:member_remove": Route(Level.FULL, "membership", GET_POST),
    "resellers:two_factor": Route(Level.FULL, methods=("POST",), data=lambda w: {"required": "on"}),
    "panel:audit": Route(Level.READ),
    "servicepacks:list": Route(Level.READ),
    "accounts:list": Route(Level.READ),
    "accounts:export": Route(Level.READ),
    "assets:list": Route(Level.READ),
    "assets:export": Route(Level.READ),
    "accounts:bulk": Route(
        Level.WRITE, methods=("POST",), data=lambda w: {"action": "suspend", "account_id": w.account.pk}
    ),
    "accounts:contact": Route(Level.WRITE, "account", GET_POST, lambda w: {"contact_name": "Jo"}),
    "accounts:welcome_email": Route(Level.WRITE, "account", GET_POST, lambda w: {"to": "jo@example.test"}),
    "accounts:create": Route(
        Level.WRITE,
        methods=GET_POST,
        data=lambda w: {"identifier": "new-shop.example", "servicepack_id": w.servicepack.pk},
    ),
    "accounts:detail": Route(Level.READ, "account"),
    "accounts:suspend": Route(Level.WRITE, "account", ("POST",)),
    "accounts:unsuspend": Route(Level.WRITE, "account", ("POST",)),
    "accounts:change_servicepack": Route(
        Level.WRITE, "account", GET_POST, lambda w: {"servicepack_id": w.servicepack.pk}
    ),
    "accounts:delete": Route(Level.WRITE, "account", GET_POST),
    "assets:choose_type": Route(Level.WRITE, "account"),
    "assets:create": Route(
        Level.WRITE,
        "account",
        GET_POST,
        lambda w: {"database_name": "shop", "password": VALID_PASSWORD, "max_size": 100},
        {"asset_type": "mysql"},
    ),
    "assets:detail": Route(Level.READ, "asset"),
    "assets:resize": Route(Level.WRITE, "asset", GET_POST, lambda w: {"max_size": 100}),
    "assets:password": Route(
        Level.WRITE, "asset", GET_POST, lambda w: {"password": VALID_PASSWORD, "password_again": VALID_PASSWORD}
    ),
    "assets:delete": Route(Level.WRITE, "asset", GET_POST),
    "assets:hosting_change": Route(
        Level.WRITE, "asset", ("POST",), lambda w: {"gzip-enabled": "false"}, {"action": "gzip"}
    ),
    "mail:zone": Route(Level.READ, "account"),
    "mail:zone_change": Route(Level.WRITE, "account", ("POST",), lambda w: {"action": "anti_spam", "type": "none"}),
    "mail:mailbox": Route(
        Level.WRITE,
        "mailbox",
        GET_POST,
        lambda w: {"save": "reply", "reply_enabled": "on", "subject": "Away", "message": "Back on Monday."},
    ),
    "provisioning:job_list": Route(Level.READ),
    "provisioning:job_detail": Route(Level.READ, "job"),
    "provisioning:job_retry": Route(Level.WRITE, "job", ("POST",)),
    "apikeys:index": Route(Level.FULL),
    "apikeys:key_list": Route(Level.FULL),
    "apikeys:key_create": Route(Level.FULL, methods=GET_POST, data=lambda w: {"name": "ci", "level": "read"}),
    "apikeys:key_revoke": Route(Level.FULL, "api_key", GET_POST),
    "apikeys:oauth_list": Route(Level.FULL),
    "apikeys:oauth_create": Route(
        Level.FULL,
        methods=GET_POST,
        data=lambda w: {"name": "App", "client_type": "confidential", "authorization_grant_type": "client-credentials"},
    ),
    "apikeys:oauth_edit": Route(
        Level.FULL,
        "oauth_app",
        GET_POST,
        lambda w: {
            "name": "Renamed",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "https://x.example/cb",
        },
    ),
    "apikeys:oauth_delete": Route(Level.FULL, "oauth_app", GET_POST),
    "apikeys:key_created": Route(Level.FULL, "api_key"),
    "apikeys:oauth_created": Route(Level.FULL, "oauth_app"),
    "ipwhitelist:list": Route(Level.FULL, methods=GET_POST, data=lambda w: {"cidr": "192.0.2.0/24"}),
    "ipwhitelist:remove": Route(Level.FULL, "whitelist_entry", GET_POST),
    "webhooks:list": Route(Level.FULL),
    "webhooks:create": Route(
        Level.FULL, methods=GET_POST, data=lambda w: {"url": "https://hooks.example.com/x", "event_types": "*"}
    ),
    "webhooks:detail": Route(Level.FULL, "webhook"),
    "webhooks:edit": Route(
        Level.FULL, "webhook", GET_POST, lambda w: {"url": "https://hooks.example.com/y", "event_types": "account.*"}
    ),
    "webhooks:delete": Route(Level.FULL, "webhook", GET_POST),
    "webhooks:replay": Route(Level.FULL, "delivery", ("POST",)),
    "dns:zone": Route(Level.READ, "account"),
    "dns:record_add": Route(
        Level.WRITE, "account", ("POST",), lambda w: {"type": "A", "record_name": "www2", "content": "192.0.2.9"}
    ),
    "dns:record_delete": Route(Level.WRITE, "dns_record", ("POST",)),
    "domains:list": Route(Level.READ),
    "domains:detail": Route(Level.READ, "domain"),
    "domains:register": Route(
        Level.WRITE, methods=GET_POST, data=lambda w: {"domain_name": "new-name.example", **REGISTRANT}
    ),
    "domains:transfer": Route(
        Level.WRITE,
        methods=GET_POST,
        data=lambda w: {"domain_name": "moving-in.example", "auth_code": "X7-code", **REGISTRANT},
    ),
    "certificates:list": Route(Level.READ),
    "certificates:https": Route(Level.WRITE, "asset", ("POST",), lambda w: {}),
}

BELOW = {Level.WRITE: "reader", Level.FULL: "writer"}


def panel_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in PANEL_NAMESPACES and pattern.name:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver("config.urls").url_patterns, None)
    return names


def url_of(name: str, world) -> str:
    route = ROUTES[name]
    kwargs = dict(route.extra)
    if route.obj:
        kwargs[KWARG[route.obj]] = getattr(world, route.obj).pk
    return reverse(name, kwargs=kwargs)


def request(client: Client, method: str, url: str, data: dict):
    return client.post(url, data) if method == "POST" else client.get(url)


def write_counts() -> tuple[int, int, int]:
    """Every successful write leaves an audit event (and most a job or key): these must not move when refused."""
    return AuditEvent.objects.count(), ProvisioningJob.objects.count(), ApiKey.objects.count()


def cases(predicate=lambda route: True):
    return [
        pytest.param(name, method, id=f"{name}-{method}")
        for name, route in sorted(ROUTES.items())
        if predicate(route)
        for method in route.methods
    ]


def test_every_panel_route_is_in_the_matrix():
    found = panel_route_names()
    assert found - set(ROUTES) == set(), "panel routes missing from ROUTES (sign-in, level, tenancy, CSRF tests)"
    assert set(ROUTES) - found == set(), "ROUTES names routes that no longer exist"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_panel_view_declares_the_level_of_the_matrix(name, world):
    match = get_resolver("config.urls").resolve(url_of(name, world))
    assert getattr(match.func, "panel_level", None) == ROUTES[name].level


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), cases())
def test_anonymous_visitor_is_sent_to_sign_in(name, method, world):
    url = url_of(name, world)
    before = write_counts()
    response = request(Client(), method, url, ROUTES[name].data(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert write_counts() == before


@pytest.mark.parametrize(("name", "method"), cases(lambda route: route.obj is not None))
def test_other_resellers_object_is_not_found(name, method, world, tenant_b):
    before = write_counts()
    response = request(signed_in(tenant_b["owner"]), method, url_of(name, world), ROUTES[name].data(world))
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert write_counts() == before


@pytest.mark.parametrize(("name", "method"), cases(lambda route: route.level != Level.READ))
def test_member_below_the_level_is_refused(name, method, world):
    before = write_counts()
    user = world.tenant[BELOW[ROUTES[name].level]]
    response = request(signed_in(user), method, url_of(name, world), ROUTES[name].data(world))
    assert response.status_code == 403
    assert b"Not allowed" in response.content
    assert write_counts() == before


@pytest.mark.parametrize("name", sorted(name for name, route in ROUTES.items() if "POST" in route.methods))
def test_state_changing_form_needs_the_csrf_token(name, world):
    before = write_counts()
    client = signed_in(world.tenant["owner"], enforce_csrf_checks=True)
    response = client.post(url_of(name, world), ROUTES[name].data(world))
    assert response.status_code == 403
    assert b"form has expired" in response.content
    assert write_counts() == before


@pytest.mark.parametrize("name", sorted(name for name, route in ROUTES.items() if "GET" in route.methods))
def test_every_page_renders_for_a_full_member(name, world, owner):
    response = owner.get(url_of(name, world))
    assert response.status_code == (302 if name == "apikeys:index" else 200)
    if response.status_code == 200 and not response.streaming:  # CSV downloads stream, with no page around them
        assert b"<main" in response.content
        assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    "name", sorted(name for name, route in ROUTES.items() if "GET" in route.methods and route.level == Level.READ)
)
def test_read_member_sees_read_pages(name, world, reader):
    assert reader.get(url_of(name, world)).status_code == 200


@pytest.mark.parametrize("name", sorted(name for name, route in ROUTES.items() if "GET" in route.methods))
def test_every_page_answers_within_a_handful_of_queries(name, world, owner, django_assert_max_num_queries):
    url = url_of(name, world)
    owner.get(url)  # the first request of a session stores the chosen reseller in it
    with django_assert_max_num_queries(12):
        assert owner.get(url).status_code in (200, 302)
