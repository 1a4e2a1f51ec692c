"""Panel page listing the servicepacks the reseller may sell and what each contains."""

from django.db.models import Count
from django.shortcuts import render

from apps.accounts.models import Account
from apps.panel.panel import panel_view
from apps.servicepacks.models import ServicePack


@panel_view()
def servicepack_list(request):
    principal = request.principal
    packs = list(ServicePack.objects.for_principal(principal).prefetch_related("items"))
    in_use = dict(
        Account.objects.for_principal(principal).values_list("servicepack_id").annotate(n=Count("*")).order_by()
    )
    for pack in packs:
        pack.account_count = in_use.get(pack.pk, 0)
    return render(request, "servicepacks/list.html", {"servicepacks": packs})
