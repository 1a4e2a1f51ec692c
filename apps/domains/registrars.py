"""The registrar driver interface and the built-in operator-fulfilled driver.

A driver gets a `RegistryOrder` (plain data) and answers with a `RegistryAnswer`: `pending` (ask again later:
the job waits), `completed` (with the expiration date the registry reports) or `refused` (with a reason). An EPP
driver would send the order to the registry on the first call and poll it on the next ones; the operator driver
reads the decision an operator took in Django admin. `PANEEL_REGISTRAR_DRIVER` names the class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RegistryOrder:
    order_id: int
    operation: str  # register | transfer | name_servers | renew (the will_renew flag) | renewal (renew now)
    domain_name: str
    name_servers: tuple[str, ...] = ()
    will_renew: bool | None = None
    registrant: dict = field(default_factory=dict)
    auth_code: str = ""
    # What an operator decided, for the operator-fulfilled driver: waiting | completed | refused.
    decision: str = "waiting"
    reason: str = ""
    decided_expiration: dt.datetime | None = None


@dataclass(frozen=True)
class RegistryAnswer:
    state: str  # pending | completed | refused
    expiration_date: dt.datetime | None = None
    reason: str = ""


class RegistrarDriver:
    def submit(self, order: RegistryOrder) -> RegistryAnswer:
        """Send (or re-check) `order`; idempotent: a second call for the same order never orders twice."""
        raise NotImplementedError


class OperatorRegistrar(RegistrarDriver):
    """The platform operator carries the order out at the registry by hand and records the outcome in Django
    admin (Domain orders: "Complete" / "Refuse"); until then the order is pending."""

    def submit(self, order: RegistryOrder) -> RegistryAnswer:
        if order.decision == "completed":
            return RegistryAnswer("completed", expiration_date=order.decided_expiration)
        if order.decision == "refused":
            return RegistryAnswer("refused", reason=order.reason or "The registrar refused the order.")
        return RegistryAnswer("pending")


def get_registrar() -> RegistrarDriver:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.PANEEL_REGISTRAR_DRIVER)()
