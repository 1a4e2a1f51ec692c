"""Measuring what assets really use: each driver's `usage`, stored on the asset as `actual_size` (MB).

The worker measures assets whose measurement is older than `PANEEL_USAGE_INTERVAL_SECONDS` on every sweep
(`measure_due_usage`); operators measure on demand (admin action, `manage.py measure_usage`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Status
from apps.assets.models import Asset
from apps.provisioning.drivers import get_driver
from apps.provisioning.drivers.base import DriverError
from apps.provisioning.runner import server_info, spec_of

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
            # Measured where the asset lives: its server's driver (root and services), not the worker's defaults.
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


def measure_due_usage(*, limit: int = 200) -> int:
    """Measure up to `limit` active or suspended assets whose last measurement is older than the interval."""
    due_before = timezone.now() - timedelta(seconds=settings.PANEEL_USAGE_INTERVAL_SECONDS)
    due = (
        Asset.objects.filter(status__in=MEASURABLE)
        .filter(Q(usage_measured_at__isnull=True) | Q(usage_measured_at__lt=due_before))
        .select_related("account")
        .order_by("usage_measured_at", "pk")[:limit]
    )
    return len(measure_usage(due))
