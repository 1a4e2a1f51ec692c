"""Panel pages for assets: create (only what the servicepack allows), detail, resize, password, delete."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Account, Status
from apps.assets import services
from apps.assets.forms import CREATE_FORMS, PasswordForm, ResizeForm
from apps.assets.kinds import KINDS
from apps.assets.models import Asset
from apps.core.errors import NotFound
from apps.core.principal import Level
from apps.provisioning.models import UNFINISHED, ProvisioningJob
from apps.resellers.panel import panel_view, posted, run_service
from apps.servicepacks.models import AssetType

# Asset types whose kind has a password the panel can set.
PASSWORD_TYPES = {asset_type for asset_type, kind in KINDS.items() if kind.password_field}


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
        Asset.objects.select_related("account__servicepack")
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


@panel_view()
def asset_detail(request, asset_id: int):
    principal = request.principal
    asset = _asset(principal, asset_id)
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
