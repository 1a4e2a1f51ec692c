"""Panel pages for the IP whitelist (level `full`): the addresses API credentials may be used from."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.ip import client_ip
from apps.core.principal import Level
from apps.ipwhitelist import services
from apps.ipwhitelist.forms import WhitelistEntryForm
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.selectors import ip_is_whitelisted
from apps.panel.panel import panel_view, posted, run_service


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def whitelist(request):
    principal = request.principal
    form = WhitelistEntryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        entry = run_service(request, services.add_whitelist_entry, form=form, principal=principal, **form.cleaned_data)
        if entry:
            messages.success(request, f"API requests from {entry.cidr} are allowed.")
            if services.allows_every_address(entry.cidr):
                messages.warning(
                    request,
                    f"{entry.cidr} allows API requests from every address: the API keys and tokens alone now "
                    "protect this reseller. Prefer the addresses your programs use.",
                )
            return redirect("ipwhitelist:list")
    entries = list(IpWhitelistEntry.objects.for_principal(principal).select_related("created_by"))
    visitor_ip = client_ip(request)
    return render(
        request,
        "ipwhitelist/list.html",
        {
            "form": form,
            "entries": entries,
            "visitor_ip": visitor_ip,
            "visitor_allowed": bool(visitor_ip) and ip_is_whitelisted(principal.reseller_id, visitor_ip),
        },
    )


@panel_view(Level.FULL)
@require_http_methods(["GET", "POST"])
def whitelist_remove(request, entry_id: int):
    entry = IpWhitelistEntry.objects.get_for_principal(request.principal, pk=entry_id)
    if request.method == "POST":
        if run_service(request, services.remove_whitelist_entry, principal=request.principal, entry_id=entry.pk):
            messages.success(request, f"API requests from {entry.cidr} are no longer allowed.")
        return redirect("ipwhitelist:list")
    return render(request, "ipwhitelist/remove.html", {"entry": entry})
