"""What the worker does for zone jobs: apply the zone as it is in the database now, or delete it."""

from __future__ import annotations

from apps.dns.drivers import get_zone_driver
from apps.dns.models import DnsZone
from apps.dns.zones import zone_spec
from apps.provisioning.models import ProvisioningJob
from apps.provisioning.runner import register_handler, server_info


def sync_zone(job: ProvisioningJob) -> list[str]:
    """Apply the zone's current records (whatever changes queued this job, the latest state wins)."""
    zone = DnsZone.objects.select_related("account__dns_server").filter(pk=job.target_id).first()
    if zone is None:  # deleted since: its delete job removes it from the server
        return []
    get_zone_driver(server_info(job.server)).apply(zone_spec(zone))
    return [f"/v2/dns/{zone.name}/records"]


def delete_zone(job: ProvisioningJob) -> list[str]:
    get_zone_driver(server_info(job.server)).delete(job.payload["zone"])
    return []


register_handler("dns_zone.sync", sync_zone)
register_handler("dns_zone.delete", delete_zone)
