"""Measuring what assets really use: each driver's `usage`, stored on the asset as `actual_size` (MB).

The worker measures assets whose measurement is older than `PANEEL_USAGE_INTERVAL_SECONDS` on every sweep
(`measure_due_usage`); operators measure on demand (admin action, `manage.py measure_usage`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Status
from apps.assets.models import Asset
from apps.provisioning.drivers import get_driver
from apps.provisioning.drivers.base import DriverError
from apps.provisioning.models import DEFAULT_QUEUE
from apps.provisioning.runner import server_info, spec_of
from apps.servers.placement import ROLE_OF
from apps.servicepacks.models import AssetType

logger = logging.getLogger(__name__)
MEASURABLE = (Status.ACTIVE, Status.SUSPENDED)
BATCH = 500


def measure_usage(assets: Iterable[Asset]) -> dict[int, int]:
    """Measure each asset through its driver and store the result. Returns {asset id: MB} of those measured.

    An asset the driver cannot measure keeps its last value (logged); one failure does not stop the others.
    """
    measured: dict[int, int] = {}
    now = timezone.now()
    changed: list[Asset] = []
    for asset in assets:
        try:
            # The driver of the asset's own server: its files live under that server's root.
            size = get_driver(asset.asset_type, server_info(asset.provisioning_server)).usage(spec_of(asset))
        except DriverError as error:
            logger.warning("Could not measure %s: %s (%s)", asset, error.detail, error.code)
            continue
        asset.actual_size, asset.usage_measured_at = size, now
        changed.append(asset)
        measured[asset.pk] = size
        if len(changed) == BATCH:
            Asset.objects.bulk_update(changed, ["actual_size", "usage_measured_at"])
            changed = []
    Asset.objects.bulk_update(changed, ["actual_size", "usage_measured_at"])
    return measured


def on_queues(queues: Collection[str]) -> Q:
    """Assets that live on the servers whose job queues are `queues` (a worker of those queues runs on those
    servers, so only it can see their files); the default queue stands for the assets placed on no server."""
    if "*" in queues:
        return Q()
    names = [name for name in queues if name != DEFAULT_QUEUE]
    found = Q(pk__in=[])
    for asset_type in {*ROLE_OF, *AssetType.values}:
        role = ROLE_OF.get(asset_type)
        if role is None:
            if DEFAULT_QUEUE in queues:
                found |= Q(asset_type=asset_type)
            continue
        here = Q(**{f"account__{role}_server__name__in": names})
        if DEFAULT_QUEUE in queues:
            here |= Q(**{f"account__{role}_server__isnull": True})
        found |= Q(asset_type=asset_type) & here
    return found


def measure_due_usage(*, limit: int = 200, queues: Collection[str] = ("*",)) -> int:
    """Measure up to `limit` active or suspended assets whose last measurement is older than the interval,
    among those on the servers of `queues` (the worker's `--queue-name` list; "*": every server)."""
    due_before = timezone.now() - timedelta(seconds=settings.PANEEL_USAGE_INTERVAL_SECONDS)
    due = (
        Asset.objects.filter(status__in=MEASURABLE)
        .filter(on_queues(queues))
        .filter(Q(usage_measured_at__isnull=True) | Q(usage_measured_at__lt=due_before))
        .select_related("account__web_server", "account__mail_server", "account__db_server", "account__dns_server")
        .order_by("usage_measured_at", "pk")[:limit]
    )
    return len(measure_usage(due))
