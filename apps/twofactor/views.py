"""The signed-in user's own two-factor pages: set up, recovery codes (shown once), turn off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import DomainError
from apps.core.ip import client_ip
from apps.twofactor import services, totp
from apps.twofactor.forms import DisableForm, EnableForm
from apps.twofactor.models import TwoFactorDevice
from apps.twofactor.session import SESSION_TWO_FACTOR_VERIFIED

SESSION_SECRET = "paneel_two_factor_new_secret"
SESSION_CODES = "paneel_two_factor_codes_to_show"
ISSUER = "Paneel"


def _meta(request) -> dict:
    return {"ip": client_ip(request) or None, "request_id": getattr(request, "request_id", "")}


def _form_errors(form, error: DomainError) -> None:
    for problem in error.problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


def _never_cached(response):
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Off: a new key to add to the app, and the code that confirms it. On: the state, new codes, turn off."""
    device = TwoFactorDevice.objects.filter(user=request.user).first()
    if device is not None:
        context = {
            "device": device,
            "codes_left": device.recovery_codes.filter(used_at__isnull=True).count(),
            "disable_form": DisableForm(),
        }
        return _never_cached(render(request, "twofactor/status.html", context))
    secret = request.session.get(SESSION_SECRET)
    if not secret:
        secret = request.session[SESSION_SECRET] = totp.generate_secret()
    form = EnableForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _, codes = services.enable_two_factor(
                user=request.user, secret=secret, code=form.cleaned_data["code"], **_meta(request)
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            del request.session[SESSION_SECRET]
            request.session[SESSION_CODES] = codes
            request.session[SESSION_TWO_FACTOR_VERIFIED] = True
            messages.success(request, "Two-factor sign-in is on.")
            return redirect("twofactor:recovery_codes")
    context = {
        "form": form,
        "secret": secret,
        "spaced_secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": totp.provisioning_uri(secret, account=request.user.get_username(), issuer=ISSUER),
    }
    return _never_cached(render(request, "twofactor/setup.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """POST makes new codes; GET shows codes just made, once (a reload shows them no more)."""
    if request.method == "POST":
        try:
            request.session[SESSION_CODES] = services.regenerate_recovery_codes(user=request.user, **_meta(request))
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("twofactor:setup")
        messages.success(request, "New recovery codes: the old ones no longer work.")
        return redirect("twofactor:recovery_codes")
    codes = request.session.pop(SESSION_CODES, None)
    return _never_cached(render(request, "twofactor/recovery_codes.html", {"codes": codes}))


@login_required
@require_POST
def disable(request):
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            services.disable_two_factor(user=request.user, password=form.cleaned_data["password"], **_meta(request))
        except DomainError as error:
            _form_errors(form, error)
        else:
            request.session[SESSION_TWO_FACTOR_VERIFIED] = False
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("twofactor:setup")
    device = TwoFactorDevice.objects.filter(user=request.user).first()
    if device is None:
        return redirect("twofactor:setup")
    context = {
        "device": device,
        "codes_left": device.recovery_codes.filter(used_at__isnull=True).count(),
        "disable_form": form,
    }
    return _never_cached(render(request, "twofactor/status.html", context, status=400))
