"""The panel's domain pages: every domain of the reseller with its state at the registrar and its name servers,
one domain with its orders, and the forms that order a registration or a transfer."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.principal import Level
from apps.domains import services
from apps.domains.forms import REGISTRANT_LABELS, DomainOrderForm, DomainTransferForm
from apps.domains.models import Domain
from apps.panel.panel import panel_view, posted, run_service


@panel_view(Level.READ)
@require_http_methods(["GET"])
def domain_list(request):
    domains = Domain.objects.for_principal(request.principal).prefetch_related("orders").order_by("domain_name")
    return render(request, "domains/list.html", {"domains": domains})


@panel_view(Level.READ)
@require_http_methods(["GET"])
def domain_detail(request, domain_id: int):
    domain = Domain.objects.get_for_principal(request.principal, pk=domain_id)
    registrant = [
        (label, domain.registrant[key]) for key, label in REGISTRANT_LABELS.items() if key in domain.registrant
    ]
    return render(
        request, "domains/detail.html", {"domain": domain, "registrant": registrant, "orders": domain.orders.all()}
    )


def order_page(request, *, transfer: bool):
    """The registration or transfer form: the order goes through the same service the API uses."""
    form = (DomainTransferForm if transfer else DomainOrderForm)(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {"auth_code": data["auth_code"]} if transfer else {}
        ordered = run_service(
            request,
            services.transfer_domain if transfer else services.register_domain,
            form=form,
            principal=request.principal,
            domain_name=data["domain_name"],
            registrant=form.registrant(),
            name_servers=data["name_servers"] or None,
            **arguments,
        )
        if ordered:
            domain, _ = ordered
            what = "transfer" if transfer else "registration"
            messages.success(request, f"The {what} of {domain} is ordered; it waits for the registrar.")
            return redirect("domains:detail", domain_id=domain.pk)
    return render(request, "domains/order.html", {"form": form, "transfer": transfer})


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def domain_register(request):
    return order_page(request, transfer=False)


@panel_view(Level.WRITE)
@require_http_methods(["GET", "POST"])
def domain_transfer(request):
    return order_page(request, transfer=True)
