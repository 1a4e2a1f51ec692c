"""Panel pages for assets: create (only what the servicepack allows), detail, resize, password, delete."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Account, Status
from apps.assets import services
from apps.assets.filters import AssetFilterSet
from apps.assets.forms import CREATE_FORMS, PasswordForm, ResizeForm
from apps.assets.hosting import connection_host
from apps.assets.hosting_forms import (
    HOSTING_FORMS,
    ApcuForm,
    HostingForm,
    MemoryLimitForm,
    PhpVersionForm,
    SshKeyForm,
    SubsiteForm,
    TaskForm,
)
from apps.assets.kinds import KINDS
from apps.assets.models import Asset
from apps.core.errors import NotFound
from apps.core.principal import Level
from apps.panel.csv_export import csv_response
from apps.panel.panel import keyset_page, panel_view, posted, run_service
from apps.provisioning.models import UNFINISHED, ProvisioningJob
from apps.servicepacks.models import AssetType

# Asset types whose kind has a password the panel can set.
PASSWORD_TYPES = {asset_type for asset_type, kind in KINDS.items() if kind.password_field}


def _filtered_assets(request):
    assets = Asset.objects.for_principal(request.principal).select_related("account")
    return AssetFilterSet(request.GET or None, queryset=assets)


@panel_view()
def asset_list(request):
    """Every asset of the reseller, with the API's asset filters (type, status, name, account)."""
    filterset = _filtered_assets(request)
    page = keyset_page(request, filterset.qs) if not filterset.is_bound or filterset.is_valid() else None
    context = {
        "filterset": filterset,
        "page": page,
        "is_filtered": any(request.GET.get(name) for name in filterset.filters),
    }
    return render(request, "assets/list.html", context)


@panel_view()
def asset_export(request):
    """The asset list as CSV, with the list's filters (and all its pages)."""
    filterset = _filtered_assets(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The filters are not valid; fix them and export again.")
        return redirect(f"{reverse('assets:list')}?{request.GET.urlencode()}")
    return csv_response(
        "assets",
        ["id", "account", "type", "name", "max_size_mb", "actual_size_mb", "status", "created_at"],
        filterset.qs.order_by("created_at", "id"),
        lambda a: [
            a.pk,
            a.account.identifier,
            a.get_asset_type_display(),
            a.name,
            a.max_size,
            a.actual_size,
            a.status,
            a.created_at,
        ],
    )


def asset_offers(account: Account, counts: dict[str, int]) -> list[dict]:
    """Each asset type, whether this account can take one more of it now, and if not, why not (for people;
    `create_asset` makes the decision)."""
    items = {item.asset_type: item for item in account.servicepack.items.all()}
    offers = []
    for asset_type in AssetType:
        item = items.get(asset_type)
        used = counts.get(asset_type, 0)
        if asset_type not in CREATE_FORMS:
            reason = "The panel cannot create this type yet."
        elif item is None:
            reason = f"Servicepack '{account.servicepack.name}' does not include it."
        elif used >= item.max_count:
            reason = f"All {item.max_count} that servicepack '{account.servicepack.name}' allows are in use."
        elif account.status != Status.ACTIVE:
            reason = f"The account is {account.get_status_display().lower()}; assets can be added when it is active."
        else:
            reason = ""
        offers.append(
            {"asset_type": asset_type, "label": asset_type.label, "item": item, "used": used, "reason": reason}
        )
    return offers


def _account_for_assets(principal, account_id: int) -> tuple[Account, dict[str, int]]:
    account = (
        Account.objects.select_related("servicepack")
        .prefetch_related("servicepack__items")
        .get_for_principal(principal, pk=account_id)
    )
    # Read through the account, which came through get_for_principal (and so by the (account, type) index).
    counts = dict(account.assets.values_list("asset_type").annotate(n=Count("*")).order_by())
    return account, counts


@panel_view(Level.WRITE)
def asset_choose_type(request, account_id: int):
    account, counts = _account_for_assets(request.principal, account_id)
    return render(request, "assets/choose_type.html", {"account": account, "offers": asset_offers(account, counts)})


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def asset_create(request, account_id: int, asset_type: str):
    principal = request.principal
    if asset_type not in CREATE_FORMS:
        raise NotFound("No such asset type.")
    account, counts = _account_for_assets(principal, account_id)
    offer = next(offer for offer in asset_offers(account, counts) if offer["asset_type"] == asset_type)
    # Not offered: explain on the chooser. A POST for a type the pack has goes on to the service, which decides.
    if offer["reason"] and (request.method == "GET" or offer["item"] is None):
        messages.error(request, f"{offer['label']}: {offer['reason']}")
        return redirect("assets:choose_type", account_id=account.pk)
    form = CREATE_FORMS[asset_type](posted(request), account=account, item=offer["item"])
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            services.create_asset,
            form=form,
            principal=principal,
            account_id=account.pk,
            asset_type=asset_type,
            fields=form.service_fields(),
            password=form.cleaned_data.get(form.password_name) or None,
            max_size=form.cleaned_data["max_size"],
        )
        if created:
            asset, _ = created
            messages.success(request, f"{asset} is being created.")
            return redirect("accounts:detail", account_id=account.pk)
    return render(request, "assets/create.html", {"account": account, "offer": offer, "form": form})


def _asset(principal, asset_id: int) -> Asset:
    return (
        Asset.objects.select_related("account__servicepack", "account__web_server")
        .prefetch_related("account__servicepack__items")
        .get_for_principal(principal, pk=asset_id)
    )


DETAIL_LABELS = {"domain_name": "Domain name", "php_version": "PHP version", "database_name": "Database name"}


def detail_rows(asset: Asset) -> list[tuple[str, object]]:
    """The kind's public details (never a hash) as (label, value) rows; database users come as a list."""
    details = KINDS[asset.asset_type].public_details(asset.details) if asset.asset_type in KINDS else {}
    return [(DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()), value) for key, value in details.items()]


def _pack_item(asset: Asset):
    """The account's pack item for this asset's type (None if the operator has since taken the type out)."""
    return next((i for i in asset.account.servicepack.items.all() if i.asset_type == asset.asset_type), None)


def detail_context(principal, asset: Asset) -> dict:
    jobs = list(
        ProvisioningJob.objects.for_principal(principal).filter(target_type="asset", target_id=str(asset.pk))[:10]
    )
    context = {
        "asset": asset,
        "account": asset.account,
        "details": detail_rows(asset),
        "item": _pack_item(asset),
        "jobs": jobs,
        "busy": asset.status in {Status.PROVISIONING, Status.DELETING} or any(j.status in UNFINISHED for j in jobs),
        "has_password": asset.asset_type in PASSWORD_TYPES,
    }
    if asset.asset_type == AssetType.LINUX_HOSTING:
        context["details"] = []  # the hosting's own section shows them
    return context


@panel_view()
def asset_detail(request, asset_id: int):
    principal = request.principal
    asset = _asset(principal, asset_id)
    context = detail_context(principal, asset)
    if asset.asset_type == AssetType.LINUX_HOSTING:
        context.update(hosting_context(asset))
    return render(request, "assets/detail.html", context)


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def asset_resize(request, asset_id: int):
    principal = request.principal
    asset = _asset(principal, asset_id)
    item = _pack_item(asset) or SimpleNamespace(max_size_mb=asset.max_size)
    form = ResizeForm(posted(request), asset=asset, item=item)
    if request.method == "POST" and form.is_valid():
        resized = run_service(
            request,
            services.resize_asset,
            form=form,
            principal=principal,
            asset_id=asset.pk,
            max_size=form.cleaned_data["max_size"],
        )
        if resized:
            messages.success(request, f"{asset} is being resized to {form.cleaned_data['max_size']} MB.")
            return redirect("assets:detail", asset_id=asset.pk)
    return render(request, "assets/resize.html", {"asset": asset, "account": asset.account, "form": form})


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def asset_password(request, asset_id: int):
    principal = request.principal
    asset = _asset(principal, asset_id)
    if asset.asset_type not in PASSWORD_TYPES:
        raise NotFound(f"{asset} has no password to change.")
    form = PasswordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        changed = run_service(
            request,
            services.change_asset_password,
            form=form,
            principal=principal,
            asset_id=asset.pk,
            password=form.cleaned_data["password"],
        )
        if changed:
            messages.success(request, f"The password of {asset} is being changed.")
            return redirect("assets:detail", asset_id=asset.pk)
    return render(request, "assets/password.html", {"asset": asset, "account": asset.account, "form": form})


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def asset_delete(request, asset_id: int):
    principal = request.principal
    asset = _asset(principal, asset_id)
    if request.method == "POST":
        if run_service(request, services.delete_asset, principal=principal, asset_id=asset.pk):
            messages.success(request, f"{asset} is being deleted.")
            return redirect("accounts:detail", account_id=asset.account_id)
        return redirect("assets:detail", asset_id=asset.pk)
    return render(request, "assets/delete.html", {"asset": asset, "account": asset.account})


# --- A Linux hosting's settings (apps.assets.hosting_forms): one POST route, one form and service per action.


def hosting_context(asset: Asset, bound: HostingForm | None = None) -> dict:
    """What the hosting part of the asset page shows: connection details, sites, keys, tasks and each form
    (`bound`, a form that failed, replaces its empty twin so its errors show)."""
    details = KINDS[AssetType.LINUX_HOSTING].with_defaults(asset)
    server = asset.provisioning_server
    forms = {
        "php_version": PhpVersionForm(asset=asset),
        "memory_limit": MemoryLimitForm(asset=asset, initial={"memory_limit": str(details["php_memory_limit"])}),
        "apcu": ApcuForm(
            asset=asset,
            initial={"enabled": "true" if details["apcu_enabled"] else "false", "apcu_size": details["apcu_size"]},
        ),
        "subsite": SubsiteForm(asset=asset),
        "ssh_key": SshKeyForm(asset=asset),
        "task": TaskForm(asset=asset, initial={"enabled": "true"}),
        "host_header": None,
    }
    if bound is not None:
        forms[next(name for name, cls in HOSTING_FORMS.items() if cls is type(bound))] = bound
    return {
        "hosting": details,
        "hosting_forms": forms,
        "toggles": [
            ("gzip", "gzip compression", details["gzip_enabled"]),
            ("ftp", "FTP", details["ftp_enabled"]),
            ("ssh", "SSH", details["ssh_enabled"]),
        ],
        "connection": {
            "web_address": f"http://{asset.name}/",
            "host": connection_host(asset),
            "ip": (server.ipv4_address or server.ipv6_address or "") if server is not None else "",
            "user": details.get("system_user", ""),
            "ftp_user": asset.name,
            "ftp_port": (server.services or {}).get("ftp_port", 21) if server is not None else 21,
            "ssh_port": (server.services or {}).get("ssh_port", 22) if server is not None else 22,
            "php_version": details["php_version"],
        },
    }


@panel_view(Level.WRITE)
@require_http_methods(["POST"])
def hosting_change(request, asset_id: int, action: str):
    principal = request.principal
    form_class = HOSTING_FORMS.get(action)
    asset = _asset(principal, asset_id)
    if form_class is None or asset.asset_type != AssetType.LINUX_HOSTING:
        raise NotFound("No such setting.")
    form = form_class(request.POST, asset=asset)
    if form.is_valid():
        done = run_service(
            request, form_class.service, form=form, principal=principal, asset_id=asset.pk, **form.service_kwargs()
        )
        if done:
            messages.success(request, form.success)
            return redirect(f"{reverse('assets:detail', kwargs={'asset_id': asset.pk})}#h-{form.prefix_name}")
    return render(request, "assets/detail.html", {**detail_context(principal, asset), **hosting_context(asset, form)})
