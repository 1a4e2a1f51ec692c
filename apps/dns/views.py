"""The panel's DNS zone editor per account: the zone's records, add one, delete one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.accounts.models import Account
from apps.core.errors import NotFound
from apps.core.principal import Level
from apps.dns import services
from apps.dns.forms import RecordForm
from apps.dns.models import DnsRecord, DnsZone
from apps.panel.panel import panel_view, posted, run_service


def zone_of(request, account_id: int) -> DnsZone:
    account = Account.objects.get_for_principal(request.principal, pk=account_id)
    zone = DnsZone.objects.for_principal(request.principal).filter(account=account).first()
    if zone is None:
        raise NotFound("This account has no DNS zone.")
    return zone


def render_zone(request, zone: DnsZone, form: RecordForm):
    records = zone.records.order_by("type", "name", "created_at")
    return render(request, "dns/zone.html", {"zone": zone, "account": zone.account, "records": records, "form": form})


@panel_view(Level.READ)
@require_http_methods(["GET"])
def zone(request, account_id: int):
    return render_zone(request, zone_of(request, account_id), RecordForm(initial={"ttl": 3600}))


@panel_view(Level.WRITE)
@require_http_methods(["POST"])
def record_add(request, account_id: int):
    found = zone_of(request, account_id)
    form = RecordForm(posted(request))
    if form.is_valid():
        record = run_service(
            request, services.create_record, form=form, principal=request.principal, domain_name=found.name,
            data=form.record_data(),
        )  # fmt: skip
        if record:
            messages.success(request, f"Added the {record.type} record; the DNS server is being updated.")
            return redirect("dns:zone", account_id=account_id)
    return render_zone(request, found, form)


@panel_view(Level.WRITE)
@require_http_methods(["POST"])
def record_delete(request, record_id: str):
    record = DnsRecord.objects.select_related("zone__account").get_for_principal(request.principal, pk=record_id)
    if run_service(
        request, services.delete_record, principal=request.principal, domain_name=record.zone.name, record_id=record.pk
    ):
        messages.success(request, f"Deleted the {record.type} record {record.owner_name or '@'}.")
    return redirect("dns:zone", account_id=record.zone.account_id)
