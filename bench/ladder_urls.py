"""URLs of the API ladder's gunicorn: the real ones, plus one L2 view per list endpoint (bench/api_ladder.py).

L2 is the floor a list endpoint is compared with: a plain Django view that reads the same page of the same rows
(same reseller, same order, same columns) with `.values()` and answers `JsonResponse`, with no authentication,
no rate limit, no count and no serializer. The reseller comes from `?reseller=<id>`.
"""

from django.db.models import F, Q
from django.http import JsonResponse
from django.urls import include, path

from apps.accounts.models import Account
from apps.apikeys.models import ApiKey
from apps.assets.api.rows import UserCount
from apps.assets.models import Asset
from apps.core.models import AuditEvent
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem
from config.urls import urlpatterns as real_urlpatterns

TAKE = 100


def page(request, queryset, *columns, **expressions):
    reseller_id = int(request.GET["reseller"])
    rows = list(queryset.filter(reseller_id=reseller_id).values(*columns, **expressions)[:TAKE])
    return JsonResponse(rows, safe=False)


def accounts(request):
    rows = Account.objects.order_by("created_at", "id")
    return page(request, rows, "id", "identifier", "servicepack_id", "status", "created_at")


def assets(asset_type, *columns, **expressions):
    def view(request):
        rows = Asset.objects.filter(asset_type=asset_type).order_by("created_at", "id")
        return page(request, rows, *columns, **expressions)

    return view


def mailboxes(request):
    """One domain's mailboxes, all of them (the list is not paged, as in the reference)."""
    rows = Asset.objects.filter(
        reseller_id=int(request.GET["reseller"]),
        asset_type=AssetType.MAILBOX,
        account__identifier=request.GET["domain_name"],
    ).order_by("created_at", "id")
    columns = ("name", "max_size", "actual_size", "account_id", "status")
    return JsonResponse(list(rows.values(*columns)), safe=False)


def servicepacks(request):
    reseller_id = int(request.GET["reseller"])
    allowed = ServicePack.allowed_resellers.through.objects.filter(reseller_id=reseller_id)
    packs = list(
        ServicePack.objects.filter(Q(is_restricted=False) | Q(pk__in=allowed.values("servicepack_id")), is_active=True)
        .order_by("id")
        .values("id", "name")
    )
    items = ServicePackItem.objects.filter(servicepack__in=[p["id"] for p in packs]).values(
        "servicepack_id", "asset_type", "max_count", "max_size_mb", "created_with_account"
    )
    by_pack = {}
    for item in items:
        by_pack.setdefault(item.pop("servicepack_id"), []).append(item)
    return JsonResponse([{**p, "items": by_pack.get(p["id"], [])} for p in packs], safe=False)


def jobs(request):
    rows = ProvisioningJob.objects.order_by("-created_at", "-pk")
    return page(
        request,
        rows,
        "id",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "status",
        "resource_links",
        "error",
        "estimate",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    )


def auditevents(request):
    rows = AuditEvent.objects.order_by("-at", "-id")
    return page(
        request,
        rows,
        "id",
        "at",
        "via",
        "actor_kind",
        "actor_repr",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip",
        "request_id",
    )


def apikeys(request):
    rows = ApiKey.objects.order_by("created_at", "id")
    return page(
        request,
        rows,
        "key",
        "name",
        "level",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )


def ipwhitelist(request):
    rows = IpWhitelistEntry.objects.order_by("created_at", "id")
    return page(request, rows, "id", "cidr", "description", "created_at")


L2_VIEWS = {
    "accounts": accounts,
    "mysqldatabases": assets(
        AssetType.MYSQL, "name", "max_size", "actual_size", "account_id", "status", user_count=UserCount()
    ),
    "mailboxes": mailboxes,
    "linuxhostings": assets(
        AssetType.LINUX_HOSTING,
        "account_id",
        "status",
        domain_name=F("name"),
        servicepack_id=F("account__servicepack_id"),
    ),
    "servicepacks": servicepacks,
    "provisioningjobs": jobs,
    "auditevents": auditevents,
    "apikeys": apikeys,
    "ipwhitelist": ipwhitelist,
}

urlpatterns = [
    *(path(f"bench/l2/{name}", view) for name, view in L2_VIEWS.items()),
    path("", include(real_urlpatterns)),
]
