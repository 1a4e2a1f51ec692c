"""The panel's shell: sign-in, dashboard, reseller switcher and the audit log."""

from __future__ import annotations

import time
from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, PasswordResetView
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from redis.exceptions import RedisError

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.core.filters import AuditEventFilterSet
from apps.core.ip import client_ip
from apps.core.models import AuditEvent
from apps.panel.forms import LoginForm, SwitchResellerForm, TwoFactorCodeForm
from apps.panel.panel import keyset_page, panel_view, posted, select_reseller
from apps.panel.throttle import THROTTLED_MESSAGE, reserve_sign_in, reset_mail_allowed, reset_request_throttled
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.models import AssetType, ServicePackItem
from apps.twofactor.services import has_two_factor, verify_second_factor
from apps.twofactor.session import SESSION_PENDING_SIGN_IN, SESSION_TWO_FACTOR_VERIFIED

UNAVAILABLE_MESSAGE = "Signing in is unavailable for a moment; try again shortly."

# How long the code step waits after the password step.
PENDING_SIGN_IN_SECONDS = 300


class ThrottledLoginView(LoginView):
    """Django's login view, counting failed sign-ins per IP and per (IP, username) and refusing to check any
    password once either count is over; a user with two-factor sign-in goes on to the code step."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        try:
            self.attempt = reserve_sign_in(request, request.POST.get("username", ""))
        except RedisError:
            # Attempts cannot be counted: refuse to check passwords (no unthrottled guessing) rather than fail;
            # members already signed in keep working (sessions live in the database).
            return self.throttled_response(UNAVAILABLE_MESSAGE, status=503)
        if self.attempt.throttled:
            return self.throttled_response()
        return super().post(request, *args, **kwargs)

    def throttled_response(self, message: str = THROTTLED_MESSAGE, *, status: int = 429):
        # An unbound form: validating it would check the password, which is exactly what we refuse to do.
        form = self.form_class(self.request, initial={"username": self.request.POST.get("username", "")})
        context = self.get_context_data(form=form, throttled_message=message)
        return self.render_to_response(context, status=status)

    def form_valid(self, form):
        self.attempt.succeeded()
        user = form.get_user()
        if has_two_factor(user):
            return start_second_step(self.request, user, self.get_success_url())
        response = super().form_valid(form)
        self.request.session[SESSION_TWO_FACTOR_VERIFIED] = False
        return response


class AdminLoginView(ThrottledLoginView):
    """`/admin/login/`: the same counts and two-factor step as the panel, with the admin's form and page."""

    form_class = AdminAuthenticationForm
    template_name = "admin/login.html"
    redirect_authenticated_user = False  # a signed-in user who is not staff sees the admin's own notice

    def get_default_redirect_url(self):
        return reverse("admin:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            admin.site.each_context(self.request),
            title="Log in",
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
        )
        context.setdefault(REDIRECT_FIELD_NAME, self.get_redirect_url() or reverse("admin:index"))
        return context

    def throttled_response(self, message: str = THROTTLED_MESSAGE, *, status: int = 429):
        messages.error(self.request, message)
        return super().throttled_response(message, status=status)


def start_second_step(request, user, next_url: str):
    """Password right, second factor to come: remember who (not signed in yet) and ask for the code."""
    request.session[SESSION_PENDING_SIGN_IN] = {
        "user_id": user.pk,
        "backend": user.backend,
        "next": next_url,
        "since": time.time(),
    }
    return redirect("login_two_factor")


def pending_user(request):
    pending = request.session.get(SESSION_PENDING_SIGN_IN)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SIGN_IN_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending.get("user_id"), is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def login_two_factor(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    user, pending = pending_user(request)
    if user is None:
        request.session.pop(SESSION_PENDING_SIGN_IN, None)
        messages.error(request, "Sign in again: the code step waits five minutes at most.")
        return redirect("login")
    form = TwoFactorCodeForm(posted(request))
    if request.method == "POST":
        try:
            attempt = reserve_sign_in(request, user.get_username())
        except RedisError:
            context = {"form": TwoFactorCodeForm(), "throttled_message": UNAVAILABLE_MESSAGE}
            return render(request, "panel/login_two_factor.html", context, status=503)
        if attempt.throttled:
            context = {"form": TwoFactorCodeForm(), "throttled_message": THROTTLED_MESSAGE}
            return render(request, "panel/login_two_factor.html", context, status=429)
        if form.is_valid() and verify_second_factor(
            user=user,
            code=form.cleaned_data["code"],
            ip=client_ip(request) or None,
            request_id=getattr(request, "request_id", ""),
        ):
            attempt.succeeded()
            next_url = pending.get("next") or "/"
            del request.session[SESSION_PENDING_SIGN_IN]
            auth_login(request, user, backend=pending.get("backend"))
            request.session[SESSION_TWO_FACTOR_VERIFIED] = True
            return redirect(next_url)
        if form.is_valid():
            form.add_error("code", "That code is not right, or it was used already.")
    return render(request, "panel/login_two_factor.html", {"form": form})


class ThrottledPasswordResetView(PasswordResetView):
    """Django's reset view, sending at most a few mails an hour per asking address and per target address.

    Over the target address's share the page says the same as always (and sends nothing), so it tells nobody
    whether the address has a user; over the asking address's share it says to wait.
    """

    def post(self, request, *args, **kwargs):
        try:
            throttled = reset_request_throttled(request)
        except RedisError:  # mails cannot be counted: send none rather than send without a limit
            context = self.get_context_data(form=self.get_form_class()(), throttled_message=UNAVAILABLE_MESSAGE)
            return self.render_to_response(context, status=503)
        if throttled:
            context = self.get_context_data(form=self.get_form_class()(), throttled_message=THROTTLED_MESSAGE)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not reset_mail_allowed(form.cleaned_data["email"]):
            return redirect(self.get_success_url())
        return super().form_valid(form)


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
    return render(request, "panel/dashboard.html", context)


@panel_view()
@require_http_methods(["GET", "POST"])
def switch_reseller(request):
    if request.method == "POST":
        form = SwitchResellerForm(request.POST)
        if form.is_valid():
            principal = select_reseller(request, form.cleaned_data["reseller_id"])
            messages.success(request, f"You are now working for {principal.reseller.name}.")
            return redirect("panel:dashboard")
        messages.error(request, "Choose a reseller.")
    return render(request, "panel/switch.html")


@panel_view()
def audit_log(request):
    principal = request.principal
    filterset = AuditEventFilterSet(request.GET or None, queryset=AuditEvent.objects.for_principal(principal))
    if filterset.is_bound and not filterset.is_valid():
        page = None
    else:
        page = keyset_page(request, filterset.qs, keys=("at", "id"), count=False)
    return render(request, "panel/audit_log.html", {"filterset": filterset, "page": page})
