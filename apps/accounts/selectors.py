"""Reads about accounts that services of several apps share (accounts, assets): the locked account, the usable pack.

They live here, below both services modules, so that `assets.services` never imports `accounts.services`.
"""

from __future__ import annotations

from apps.accounts.models import Account
from apps.core.errors import NotFound
from apps.core.principal import Principal
from apps.servicepacks.models import ServicePack


def lock_account(principal: Principal, account_id: int) -> Account:
    """The principal's account `account_id`, row-locked for the rest of the transaction (NotFound otherwise)."""
    return (
        Account.objects.select_for_update(of=("self",))
        .select_related("servicepack")
        .get_for_principal(principal, pk=account_id)
    )


def usable_servicepack(principal: Principal, servicepack: ServicePack | int) -> ServicePack:
    """A pack the principal's reseller may use; a restricted or inactive pack is simply not found."""
    pk = servicepack.pk if isinstance(servicepack, ServicePack) else servicepack
    try:
        return ServicePack.objects.for_principal(principal).prefetch_related("items").get(pk=pk)
    except (ServicePack.DoesNotExist, ValueError, TypeError):
        raise NotFound("Servicepack not found.", field="servicepack_id") from None
