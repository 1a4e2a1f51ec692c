"""The panel's certificates page: certificates with their expiry, requests with their state, and the https switch
(Let's Encrypt) of each Linux hosting's main site."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.assets.models import Asset
from apps.certificates import services
from apps.certificates.models import Certificate, CertificateRequest
from apps.certificates.sites import sites_of
from apps.core.principal import Level
from apps.panel.panel import panel_view, run_service


@panel_view(Level.READ)
@require_http_methods(["GET"])
def certificate_list(request):
    principal = request.principal
    hostings = Asset.objects.for_principal(principal).filter(asset_type="linux_hosting").order_by("name")
    return render(
        request,
        "certificates/list.html",
        {
            "certificates": Certificate.objects.for_principal(principal).filter(replaced_by__isnull=True),
            "requests": CertificateRequest.objects.for_principal(principal).order_by("-created_at")[:50],
            "hostings": [(hosting, sites_of(hosting.details, hosting.name)[0]) for hosting in hostings],
        },
    )


@panel_view(Level.WRITE)
@require_http_methods(["POST"])
def https_switch(request, asset_id: int):
    hosting = (
        Asset.objects.for_principal(request.principal)
        .filter(asset_type="linux_hosting")
        .get_for_principal(request.principal, pk=asset_id)
    )
    enabled = request.POST.get("enabled") == "on"
    if run_service(
        request, services.set_letsencrypt, principal=request.principal, domain_name=hosting.name,
        hostname=hosting.name, enabled=enabled,
    ):  # fmt: skip
        messages.success(
            request,
            f"A Let's Encrypt certificate is being ordered for {hosting.name}."
            if enabled
            else f"https is switched off for {hosting.name}.",
        )
    return redirect("certificates:list")
