"""Panel pages of the reseller itself: sign-in, dashboard, reseller switcher, members and the audit log."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.core.filters import AuditEventFilterSet
from apps.core.ip import client_ip
from apps.core.models import AuditEvent
from apps.core.principal import Level
from apps.provisioning.models import ProvisioningJob
from apps.resellers import services
from apps.resellers.forms import LoginForm, MemberInviteForm, MemberLevelForm, SwitchResellerForm
from apps.resellers.models import Membership
from apps.resellers.panel import keyset_page, panel_view, posted, run_service, select_reseller
from apps.servicepacks.models import AssetType, ServicePackItem

LOGIN_RATE = "10/5m"
THROTTLED_MESSAGE = "Too many attempts, try again in a few minutes."


def login_is_throttled(request) -> bool:
    """Count this sign-in attempt against the client's IP and against the username; True once either is over."""
    by_ip = is_ratelimited(
        request, group="panel-login-ip", key=lambda group, r: client_ip(r), rate=LOGIN_RATE, increment=True
    )
    by_username = is_ratelimited(
        request,
        group="panel-login-username",
        key=lambda group, r: r.POST.get("username", "").strip().lower(),
        rate=LOGIN_RATE,
        increment=True,
    )
    return by_ip or by_username


class ThrottledLoginView(LoginView):
    """Django's login view, refusing to check any password once the attempts from an IP or for a user pile up."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_is_throttled(request):
            # An unbound form: validating it would check the password, which is exactly what we refuse to do.
            form = self.form_class(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, throttled_message=THROTTLED_MESSAGE)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


@panel_view()
def dashboard(request):
    principal = request.principal
    accounts = Account.objects.for_principal(principal)
    accounts_by_status = dict(accounts.values_list("status").annotate(n=Count("*")).order_by())
    accounts_by_pack = dict(accounts.values_list("servicepack_id").annotate(n=Count("*")).order_by())
    assets = Asset.objects.for_principal(principal)
    # Counts only, each answered from a covering index (reseller, status) / (reseller, asset_type, ...): summing
    # sizes would read every asset row, which at a few hundred thousand assets is what a dashboard must not do.
    assets_by_status = dict(assets.values_list("status").annotate(n=Count("*")).order_by())
    assets_by_type = dict(assets.values_list("asset_type").annotate(n=Count("*")).order_by())
    # Slots: what the servicepacks of the reseller's accounts allow in all, per asset type.
    slots: dict[str, int] = defaultdict(int)
    for item in ServicePackItem.objects.filter(servicepack_id__in=list(accounts_by_pack)):
        slots[item.asset_type] += item.max_count * accounts_by_pack[item.servicepack_id]
    labels = dict(AssetType.choices)
    context = {
        "account_total": sum(accounts_by_status.values()),
        "accounts_by_status": [(s.label, s.value, accounts_by_status.get(s.value, 0)) for s in Status],
        "asset_total": sum(assets_by_status.values()),
        "assets_by_status": [(s.label, s.value, assets_by_status.get(s.value, 0)) for s in Status],
        "quota": [
            {"label": labels.get(t, t), "asset_type": t, "count": assets_by_type.get(t, 0), "slots": slots.get(t, 0)}
            for t in dict.fromkeys([*AssetType.values, *assets_by_type, *slots])
        ],
        "recent_jobs": list(ProvisioningJob.objects.for_principal(principal)[:6]),
        "recent_events": list(AuditEvent.objects.for_principal(principal)[:8]),
    }
    return render(request, "resellers/dashboard.html", context)


@panel_view()
@require_http_methods(["GET", "POST"])
def switch_reseller(request):
    if request.method == "POST":
        form = SwitchResellerForm(request.POST)
        if form.is_valid():
            principal = select_reseller(request, form.cleaned_data["reseller_id"])
            messages.success(request, f"You are now working for {principal.reseller.name}.")
            return redirect("resellers:dashboard")
        messages.error(request, "Choose a reseller.")
    return render(request, "resellers/switch.html")


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def members(request):
    principal = request.principal
    form = MemberInviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        membership = run_service(request, services.add_member, form=form, principal=principal, **form.cleaned_data)
        if membership is not None:
            messages.success(request, f"{membership.user.email} can now sign in to {principal.reseller.name}.")
            return redirect("resellers:members")
    memberships = list(Membership.objects.for_principal(principal).select_related("user"))
    return render(
        request,
        "resellers/members.html",
        {"form": form, "memberships": memberships, "levels": Level.choices, "full_count": _full_count(memberships)},
    )


def _full_count(memberships: list[Membership]) -> int:
    return sum(1 for membership in memberships if membership.level == Level.FULL)


@panel_view(Level.FULL)
@require_POST
def member_level(request, membership_id: int):
    membership = Membership.objects.select_related("user").get_for_principal(request.principal, pk=membership_id)
    form = MemberLevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a level.")
    elif run_service(
        request,
        services.change_member_level,
        principal=request.principal,
        membership_id=membership.pk,
        level=form.cleaned_data["level"],
    ):
        messages.success(request, f"{membership.user.email} now has level {form.cleaned_data['level']}.")
    return redirect("resellers:members")


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def member_remove(request, membership_id: int):
    membership = Membership.objects.select_related("user").get_for_principal(request.principal, pk=membership_id)
    if request.method == "POST":
        if run_service(request, services.remove_member, principal=request.principal, membership_id=membership.pk):
            messages.success(request, f"{membership.user.email} no longer has access.")
        return redirect("resellers:members")
    return render(request, "resellers/member_remove.html", {"membership": membership})


@panel_view()
def audit_log(request):
    principal = request.principal
    filterset = AuditEventFilterSet(request.GET or None, queryset=AuditEvent.objects.for_principal(principal))
    if filterset.is_bound and not filterset.is_valid():
        page = None
    else:
        page = keyset_page(request, filterset.qs, keys=("at", "id"), count=False)
    return render(request, "resellers/audit_log.html", {"filterset": filterset, "page": page})
