"""Panel pages for hosting accounts: list, create, detail with quotas, suspend, change servicepack, delete."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts import services, welcome_services
from apps.accounts.filters import AccountFilterSet
from apps.accounts.forms import AccountCreateForm, ChangeServicepackForm, ContactForm, WelcomeEmailForm
from apps.accounts.models import Account, Status
from apps.assets.connection import connection_details
from apps.assets.models import Asset
from apps.core.errors import DomainError
from apps.core.principal import Level
from apps.panel.csv_export import csv_response
from apps.panel.panel import keyset_page, panel_view, posted, run_service
from apps.provisioning.models import UNFINISHED, ProvisioningJob
from apps.servicepacks.models import ServicePack

# While an account is in one of these states its page refreshes itself (a job is working on it).
BUSY = {Status.PROVISIONING, Status.DELETING}


@panel_view()
def account_list(request):
    principal = request.principal
    accounts = Account.objects.for_principal(principal).select_related("servicepack")
    filterset = AccountFilterSet(request.GET or None, queryset=accounts, request=request)
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


ACCOUNT_CSV_HEADER = [
    "id",
    "identifier",
    "servicepack",
    "status",
    "contact_name",
    "contact_company",
    "contact_email",
    "contact_phone",
    "created_at",
]


@panel_view()
def account_export(request):
    """The account list as CSV, with the list's filters (and all its pages)."""
    accounts = Account.objects.for_principal(request.principal).select_related("servicepack")
    filterset = AccountFilterSet(request.GET or None, queryset=accounts, request=request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The filters are not valid; fix them and export again.")
        return redirect(f"{reverse('accounts:list')}?{request.GET.urlencode()}")
    return csv_response(
        "accounts",
        ACCOUNT_CSV_HEADER,
        filterset.qs.order_by("created_at", "id"),
        lambda a: [
            a.pk,
            a.identifier,
            a.servicepack.name,
            a.status,
            a.contact_name,
            a.contact_company,
            a.contact_email,
            a.contact_phone,
            a.created_at,
        ],
    )


BULK_ACTIONS = {
    "suspend": (services.suspend_account, "suspended"),
    "unsuspend": (services.unsuspend_account, "reactivated"),
}
BULK_MAX = 100


@panel_view(Level.WRITE)
@require_POST
def account_bulk(request):
    """Suspend or unsuspend the checked accounts: one service call (one job, one audit event) per account."""
    action = request.POST.get("action")
    back = request.POST.get("back", "")
    back = back if back.startswith("?") else ""
    list_url = reverse("accounts:list") + back
    if action not in BULK_ACTIONS:
        messages.error(request, "Choose Suspend or Unsuspend.")
        return redirect(list_url)
    ids = [value for value in request.POST.getlist("account_id") if value.isdigit()][:BULK_MAX]
    accounts = list(Account.objects.for_principal(request.principal).filter(pk__in=ids).order_by("identifier"))
    if not accounts:
        messages.error(request, "Check at least one account first.")
        return redirect(list_url)
    service, done_word = BULK_ACTIONS[action]
    done, refused = [], []
    for account in accounts:
        try:
            service(principal=request.principal, account_id=account.pk)
        except DomainError as error:
            refused.append(f"{account}: {error.detail}")
        else:
            done.append(account.identifier)
    if done:
        messages.success(
            request, f"{len(done)} account{'s' if len(done) != 1 else ''} being {done_word}: {', '.join(done)}."
        )
    for line in refused:
        messages.error(request, line)
    return redirect(list_url)


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
        "connection": connection_details(account, assets),
        "welcome_form": WelcomeEmailForm(),
    }
    return render(request, "accounts/detail.html", context)


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def account_contact(request, account_id: int):
    """Edit the customer contact of an account."""
    account = Account.objects.get_for_principal(request.principal, pk=account_id)
    initial = {name: getattr(account, name) for name in services.CONTACT_FIELDS}
    form = ContactForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = run_service(
            request,
            services.update_account_contact,
            form=form,
            principal=request.principal,
            account_id=account.pk,
            **form.cleaned_data,
        )
        if updated:
            messages.success(request, f"The contact of {updated} is saved.")
            return redirect("accounts:detail", account_id=account.pk)
    return render(request, "accounts/contact.html", {"account": account, "form": form})


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def account_welcome_email(request, account_id: int):
    """Preview the welcome e-mail (GET) and send it (POST) to the contact or another address."""
    account = Account.objects.select_related("reseller").get_for_principal(request.principal, pk=account_id)
    form = WelcomeEmailForm(posted(request))
    if request.method == "POST" and form.is_valid():
        sent_to = run_service(
            request,
            welcome_services.send_welcome_email,
            form=form,
            principal=request.principal,
            account_id=account.pk,
            to=form.cleaned_data["to"],
        )
        if sent_to:
            messages.success(request, f"The welcome e-mail for {account} is sent to {sent_to}.")
            return redirect("accounts:detail", account_id=account.pk)
    subject, body = welcome_services.render_welcome_email(account)
    context = {"account": account, "form": form, "subject": subject, "body": body}
    return render(request, "accounts/welcome_email.html", context, status=400 if form.errors else 200)


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
            asset_sizes=form.cleaned_data["asset_sizes"],
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
