"""Panel pages of the reseller itself: its members and their levels."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.principal import Level
from apps.panel.panel import panel_view, posted, run_service
from apps.resellers import services
from apps.resellers.forms import MemberInviteForm, MemberLevelForm
from apps.resellers.models import Membership
from apps.twofactor.models import TwoFactorDevice


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
    memberships = list(
        Membership.objects.for_principal(principal)
        .select_related("user")
        .annotate(two_factor_on=Exists(TwoFactorDevice.objects.filter(user_id=OuterRef("user_id"))))
    )
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


@panel_view(Level.FULL)
@require_POST
def two_factor(request):
    """Require (or stop requiring) two-factor sign-in of every member."""
    required = request.POST.get("required") == "on"
    reseller = run_service(request, services.set_two_factor_requirement, principal=request.principal, required=required)
    if reseller is not None:
        state = "now required" if reseller.require_two_factor else "no longer required"
        messages.success(request, f"Two-factor sign-in is {state} for {reseller.name}.")
    return redirect("resellers:members")
