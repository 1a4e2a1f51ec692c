"""The panel's domains page: every domain of the reseller with its state at the registrar and its name servers."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.core.principal import Level
from apps.domains.models import Domain
from apps.panel.panel import panel_view


@panel_view(Level.READ)
@require_http_methods(["GET"])
def domain_list(request):
    domains = Domain.objects.for_principal(request.principal).prefetch_related("orders").order_by("domain_name")
    return render(request, "domains/list.html", {"domains": domains})
