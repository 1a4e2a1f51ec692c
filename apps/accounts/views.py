"""Panel pages for hosting accounts: list, create, detail with quotas, suspend, change servicepack, delete."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import services
from apps.accounts.filters import AccountFilterSet
from apps.accounts.forms import AccountCreateForm, ChangeServicepackForm
from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.core.principal import Level
from apps.panel.panel import keyset_page, panel_view, posted, run_service
from apps.provisioning.models import UNFINISHED, ProvisioningJob
from apps.servicepacks.models import ServicePack

# While an account is in one of these states its page refreshes itself (a job is working on it).
BUSY = {Status.PROVISIONING, Status.DELETING}


@panel_view()
def account_list(request):
    principal = request.principal
    accounts = Account.objects.for_principal(principal).select_related("servicepack")
    filterset = AccountFilterSet(request.GET or None, queryset=accounts)
    page = keyset_page(request, filterset.qs) if not filterset.is_bound or filterset.is_valid() else None
    return render(
        request,
        "accounts/list.html",
        {
            "filterset": filterset,
            "page": page,
            "servicepacks": ServicePack.objects.for_principal(principal).only("id", "name"),
            "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        },
    )


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def account_create(request):
    principal = request.principal
    servicepacks = list(ServicePack.objects.for_principal(principal).prefetch_related("items"))
    form = AccountCreateForm(posted(request), servicepacks=servicepacks)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            request,
            services.create_account,
            form=form,
            principal=principal,
            identifier=form.cleaned_data["identifier"],
            servicepack=form.cleaned_data["servicepack_id"],
            ftp_password=form.cleaned_data["ftp_password"] or None,
        )
        if created:
            account, _ = created
            messages.success(request, f"Account {account.identifier} is being created.")
            return redirect("accounts:detail", account_id=account.pk)
    return render(request, "accounts/create.html", {"form": form, "servicepacks": servicepacks})


def quota_rows(account: Account, assets: list[Asset]) -> list[dict]:
    """Per asset type of the account's pack: how many it holds of how many allowed, and the size they take."""
    rows = []
    for item in account.servicepack.items.all():
        of_type = [asset for asset in assets if asset.asset_type == item.asset_type]
        rows.append(
            {
                "item": item,
                "label": item.get_asset_type_display(),
                "count": len(of_type),
                "max_count": item.max_count,
                "allocated": sum(asset.max_size for asset in of_type),
                "used": sum(asset.actual_size for asset in of_type),
                "max_size_mb": item.max_size_mb,
            }
        )
    return rows


@panel_view()
def account_detail(request, account_id: int):
    principal = request.principal
    account = (
        Account.objects.select_related("servicepack")
        .prefetch_related("servicepack__items")
        .get_for_principal(principal, pk=account_id)
    )
    # The account came through get_for_principal; its assets are read through it, by the (account, ...) index.
    assets = list(account.assets.all())
    jobs = list(
        ProvisioningJob.objects.for_principal(principal).filter(
            Q(target_type="account", target_id=str(account.pk))
            | Q(target_type="asset", target_id__in=[str(asset.pk) for asset in assets])
        )[:10]
    )
    busy = account.status in BUSY or any(job.status in UNFINISHED for job in jobs)
    context = {
        "account": account,
        "assets": assets,
        "quota": quota_rows(account, assets),
        "jobs": jobs,
        "busy": busy,
    }
    return render(request, "accounts/detail.html", context)


def _job_action(request, account_id: int, service, done: str):
    account = Account.objects.get_for_principal(request.principal, pk=account_id)
    if run_service(request, service, principal=request.principal, account_id=account.pk):
        messages.success(request, done.format(account=account))
    return redirect("accounts:detail", account_id=account.pk)


@panel_view(Level.WRITE)
@require_POST
def account_suspend(request, account_id: int):
    return _job_action(request, account_id, services.suspend_account, "Account {account} is being suspended.")


@panel_view(Level.WRITE)
@require_POST
def account_unsuspend(request, account_id: int):
    return _job_action(request, account_id, services.unsuspend_account, "Account {account} is being reactivated.")


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def account_change_servicepack(request, account_id: int):
    principal = request.principal
    account = Account.objects.select_related("servicepack").get_for_principal(principal, pk=account_id)
    servicepacks = list(ServicePack.objects.for_principal(principal).prefetch_related("items"))
    form = ChangeServicepackForm(
        posted(request), servicepacks=servicepacks, initial={"servicepack_id": account.servicepack_id}
    )
    if request.method == "POST" and form.is_valid():
        changed = run_service(
            request,
            services.change_servicepack,
            form=form,
            principal=principal,
            account_id=account.pk,
            servicepack=form.cleaned_data["servicepack_id"],
        )
        if changed:
            account, _ = changed
            messages.success(request, f"Account {account} is moving to servicepack {account.servicepack.name}.")
            return redirect("accounts:detail", account_id=account.pk)
    return render(
        request, "accounts/change_servicepack.html", {"account": account, "form": form, "servicepacks": servicepacks}
    )


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def account_delete(request, account_id: int):
    principal = request.principal
    account = Account.objects.select_related("servicepack").get_for_principal(principal, pk=account_id)
    if request.method == "POST":
        if run_service(request, services.delete_account, principal=principal, account_id=account.pk):
            messages.success(request, f"Account {account} is being deleted with all its assets.")
            return redirect("accounts:list")
        return redirect("accounts:detail", account_id=account.pk)
    assets = list(account.assets.all())
    return render(request, "accounts/delete.html", {"account": account, "assets": assets})
