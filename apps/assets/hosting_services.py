"""Writes on a Linux hosting's settings: PHP, gzip, sites and host headers, HTTP/2, FTP, SSH and its keys,
scheduled tasks. Each validates, changes `details` (apps.assets.hosting has the rules), writes one audit event
and leaves the work to a `linux_hosting.update` job, whose driver applies the whole of `details`.

Changes queue instead of refusing each other (DESIGN 8): while an update job of the hosting is still pending
(not yet claimed by a worker), a further change joins it, since the job reads `details` only when it runs; once
a worker has claimed it, the change gets a job of its own, run after it on the same server's queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from apps.accounts.domains import normalize_domain
from apps.accounts.models import Status
from apps.accounts.selectors import lock_account
from apps.assets import hosting
from apps.assets.kinds import KINDS, PHP_VERSIONS
from apps.assets.models import Asset
from apps.core import audit
from apps.core.errors import Duplicate, InvalidState, NotFound, QuotaExceeded
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.provisioning.jobs import record_job
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType

UPDATE = "linux_hosting.update"
# What a change does to the details (in place); it returns the audit event's `changes`.
Change = Callable[[Asset, dict[str, Any]], dict[str, Any]]


def available_php_versions(asset: Asset) -> list[str]:
    """The PHP versions the hosting's web server offers: its `services["php_versions"]` when the operator (or
    the web-stack driver) set it, else every version Paneel knows."""
    server = asset.provisioning_server
    listed = (server.services or {}).get("php_versions") if server is not None else None
    if isinstance(listed, list) and listed:
        return [version for version in PHP_VERSIONS if version in listed] or list(PHP_VERSIONS)
    return list(PHP_VERSIONS)


def update_job(principal: Principal, asset: Asset) -> ProvisioningJob:
    """The hosting's pending update job if a worker has not claimed it yet (it will read the new details), else
    a new one. The job row is locked, so a worker cannot claim it between this check and the commit."""
    pending = (
        ProvisioningJob.objects.select_for_update()
        .filter(target_type="asset", target_id=str(asset.pk), action=UPDATE, status=JobStatus.PENDING)
        .order_by("created_at")
        .first()
    )
    return pending or record_job(principal=principal, action=UPDATE, target=asset)


def _change_hosting(
    *, principal: Principal, asset_id: int, action: str, change: Change
) -> tuple[Asset, ProvisioningJob]:
    """Apply `change` to the hosting's details under the account's lock, audit it once and queue the update.

    Shared by every service below (each one checks its own arguments first). Another reseller's asset, or an
    asset that is not a Linux hosting, is not found.
    """
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        found = Asset.objects.only("account_id", "asset_type").get_for_principal(principal, pk=asset_id)
        if found.asset_type != AssetType.LINUX_HOSTING:
            raise NotFound(f"Linux hosting {asset_id} not found.")
        account = lock_account(principal, found.account_id)
        asset = account.assets.select_related("account").get(pk=asset_id)
        if asset.status not in {Status.ACTIVE, Status.SUSPENDED, Status.FAILED}:
            raise InvalidState(f"{asset} is {asset.status}; wait until it has ended.")
        details = KINDS[AssetType.LINUX_HOSTING].with_defaults(asset)
        changes = change(asset, details)
        asset.details = details
        asset.save(update_fields=["details", "updated_at"])
        audit.record(principal, action, asset, changes)
        return asset, update_job(principal, asset)


def _site(details: dict[str, Any], site_name: str) -> dict[str, Any]:
    name = site_name.lower() if isinstance(site_name, str) else site_name
    for site in details["sites"]:
        if site["name"] == name:
            return site
    raise NotFound(f"Site {site_name} not found on this hosting.")


def _free_host_name(asset: Asset, details: dict[str, Any], name: str, field: str) -> None:
    if name in hosting.host_names(details) or hosting.host_name_owner(name, other_than=asset.pk) is not None:
        raise Duplicate(f"{name} is already served by a site.", field=field)


def _setting(key: str, value: Any) -> Change:
    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        changes = audit.diff({key: details.get(key)}, {key: value})
        details[key] = value
        return changes

    return change


# --- PHP


def set_php_version(*, principal: Principal, asset_id: int, version: str) -> tuple[Asset, ProvisioningJob]:
    """Change a Linux hosting's PHP version to one its web server offers (the driver switches its pool)."""
    if not isinstance(version, str) or version not in PHP_VERSIONS:
        raise hosting.invalid("version", f"Choose one of {', '.join(PHP_VERSIONS)}.")

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        offered = available_php_versions(asset)
        if version not in offered:
            raise hosting.invalid("version", f"This server offers {', '.join(offered)}.")
        return _setting("php_version", version)(asset, details)

    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.set_php_version", change=change
    )


def set_php_memory_limit(*, principal: Principal, asset_id: int, memory_limit: int) -> tuple[Asset, ProvisioningJob]:
    """Set PHP's `memory_limit` (MB) for the hosting's pool."""
    limit = hosting.checked_memory_limit(memory_limit)
    return _change_hosting(
        principal=principal,
        asset_id=asset_id,
        action="linux_hosting.set_php_memory_limit",
        change=_setting("php_memory_limit", limit),
    )


def set_apcu(
    *, principal: Principal, asset_id: int, enabled: bool, apcu_size: int | None = None
) -> tuple[Asset, ProvisioningJob]:
    """Turn APCu on or off for the hosting's pool; `apcu_size` (MB) keeps its value when not given."""
    enabled = hosting.checked_bool(enabled, "enabled")
    size = None if apcu_size is None else hosting.checked_apcu_size(apcu_size)

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        after = {"apcu_enabled": enabled, "apcu_size": details["apcu_size"] if size is None else size}
        changes = audit.diff({key: details.get(key) for key in after}, after)
        details.update(after)
        return changes

    return _change_hosting(principal=principal, asset_id=asset_id, action="linux_hosting.set_apcu", change=change)


# --- Web server


def set_gzip_compression(*, principal: Principal, asset_id: int, enabled: bool) -> tuple[Asset, ProvisioningJob]:
    """Turn gzip compression of the hosting's responses on or off."""
    enabled = hosting.checked_bool(enabled, "enabled")
    return _change_hosting(
        principal=principal,
        asset_id=asset_id,
        action="linux_hosting.set_gzip",
        change=_setting("gzip_enabled", enabled),
    )


def add_subsite(
    *, principal: Principal, asset_id: int, domain_name: str, path: str | None = None
) -> tuple[Asset, ProvisioningJob]:
    """Add a site (its own document root, `path` in the home, default `/subsites/<name>`) to the hosting."""
    name = normalize_domain(domain_name, field="domain_name")
    site_path = hosting.checked_home_path(path, "path") if path not in (None, "") else f"/subsites/{name}"

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        if len(details["sites"]) >= hosting.MAX_SITES:
            raise QuotaExceeded(f"A hosting holds at most {hosting.MAX_SITES} sites.", field="domain_name")
        _free_host_name(asset, details, name, "domain_name")
        details["sites"].append(hosting.subsite(name, site_path))
        return {"subsite": name, "path": site_path}

    return _change_hosting(principal=principal, asset_id=asset_id, action="linux_hosting.add_subsite", change=change)


def delete_subsite(*, principal: Principal, asset_id: int, site_name: str) -> tuple[Asset, ProvisioningJob]:
    """Remove a subsite (its files stay in the home). The main site cannot be removed (400)."""

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        site = _site(details, site_name)
        if site is details["sites"][0]:
            raise hosting.invalid("site_name", "The main site cannot be removed; delete the hosting instead.")
        details["sites"].remove(site)
        return {"subsite": site["name"]}

    return _change_hosting(principal=principal, asset_id=asset_id, action="linux_hosting.delete_subsite", change=change)


def add_host_header(
    *, principal: Principal, asset_id: int, site_name: str, domain_name: str
) -> tuple[Asset, ProvisioningJob]:
    """Let a site answer to one more host name (an alias such as alias.example or www.shop.example)."""
    name = normalize_domain(domain_name, field="domain_name")

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        site = _site(details, site_name)
        if len(site["host_headers"]) >= hosting.MAX_HOST_HEADERS:
            raise QuotaExceeded(f"A site holds at most {hosting.MAX_HOST_HEADERS} host headers.", field="domain_name")
        _free_host_name(asset, details, name, "domain_name")
        site["host_headers"].append({"name": name, "enabled": True})
        return {"site": site["name"], "host_header": name}

    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.add_host_header", change=change
    )


def delete_host_header(
    *, principal: Principal, asset_id: int, site_name: str, domain_name: str
) -> tuple[Asset, ProvisioningJob]:
    """Stop a site answering to a host name (a Paneel addition: the reference offers no removal)."""

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        site = _site(details, site_name)
        name = domain_name.lower() if isinstance(domain_name, str) else domain_name
        header = next((h for h in site["host_headers"] if h["name"] == name), None)
        if header is None:
            raise NotFound(f"Host header {domain_name} not found on {site['name']}.")
        site["host_headers"].remove(header)
        return {"site": site["name"], "host_header": name}

    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.delete_host_header", change=change
    )


def set_http2(*, principal: Principal, asset_id: int, site_name: str, enabled: bool) -> tuple[Asset, ProvisioningJob]:
    """Turn HTTP/2 on or off for one site."""
    enabled = hosting.checked_bool(enabled, "enabled")

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        site = _site(details, site_name)
        changes = {
            "site": site["name"],
            **audit.diff({"http2_enabled": site["http2_enabled"]}, {"http2_enabled": enabled}),
        }
        site["http2_enabled"] = enabled
        return changes

    return _change_hosting(principal=principal, asset_id=asset_id, action="linux_hosting.set_http2", change=change)


# --- FTP and SSH


def set_ftp_enabled(*, principal: Principal, asset_id: int, enabled: bool) -> tuple[Asset, ProvisioningJob]:
    """Allow or refuse FTP logins (with the FTP password; without one set there is no login either way)."""
    enabled = hosting.checked_bool(enabled, "enabled")
    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.set_ftp", change=_setting("ftp_enabled", enabled)
    )


def set_ssh_enabled(*, principal: Principal, asset_id: int, enabled: bool) -> tuple[Asset, ProvisioningJob]:
    """Allow or refuse SSH and SFTP logins of the hosting's system user (with its keys)."""
    enabled = hosting.checked_bool(enabled, "enabled")
    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.set_ssh", change=_setting("ssh_enabled", enabled)
    )


def add_ssh_key(*, principal: Principal, asset_id: int, public_key: str) -> tuple[Asset, ProvisioningJob, str]:
    """Add an OpenSSH public key to the hosting's `authorized_keys`. Returns the key's fingerprint as well."""
    key = hosting.checked_public_key(public_key)

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        if any(existing["fingerprint"] == key["fingerprint"] for existing in details["ssh_keys"]):
            raise Duplicate(f"The key {key['fingerprint']} is already on this hosting.", field="public_key")
        if len(details["ssh_keys"]) >= hosting.MAX_SSH_KEYS:
            raise QuotaExceeded(f"A hosting holds at most {hosting.MAX_SSH_KEYS} SSH keys.", field="public_key")
        details["ssh_keys"].append(key)
        return {"ssh_key": key["fingerprint"]}

    asset, job = _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.add_ssh_key", change=change
    )
    return asset, job, key["fingerprint"]


def delete_ssh_key(*, principal: Principal, asset_id: int, fingerprint: str) -> tuple[Asset, ProvisioningJob]:
    """Remove the key with `fingerprint` (`SHA256:...`, the prefix optional) from the hosting."""

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        key = next((k for k in details["ssh_keys"] if hosting.same_fingerprint(k["fingerprint"], fingerprint)), None)
        if key is None:
            raise NotFound(f"SSH key {fingerprint} not found on this hosting.")
        details["ssh_keys"].remove(key)
        return {"ssh_key": key["fingerprint"]}

    return _change_hosting(principal=principal, asset_id=asset_id, action="linux_hosting.delete_ssh_key", change=change)


# --- Scheduled tasks


def _task(details: dict[str, Any], task_id: str) -> dict[str, Any]:
    for task in details["scheduled_tasks"]:
        if task["id"] == task_id:
            return task
    raise NotFound(f"Scheduled task {task_id} not found on this hosting.")


def add_scheduled_task(
    *, principal: Principal, asset_id: int, enabled: bool, cron_expression: str, script_location: str
) -> tuple[Asset, ProvisioningJob, str]:
    """Add a task to the system user's crontab. Returns its new id (32 hex digits) as well."""
    task = {
        "id": hosting.new_task_id(),
        **hosting.checked_task(
            {"enabled": enabled, "cron_expression": cron_expression, "script_location": script_location}
        ),
    }

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        if len(details["scheduled_tasks"]) >= hosting.MAX_SCHEDULED_TASKS:
            raise QuotaExceeded(f"A hosting holds at most {hosting.MAX_SCHEDULED_TASKS} scheduled tasks.")
        details["scheduled_tasks"].append(task)
        return {"scheduled_task": task}

    asset, job = _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.add_scheduled_task", change=change
    )
    return asset, job, task["id"]


def update_scheduled_task(
    *, principal: Principal, asset_id: int, task_id: str, enabled: bool, cron_expression: str, script_location: str
) -> tuple[Asset, ProvisioningJob]:
    """Replace a scheduled task's schedule, script and enabled flag."""
    fields = hosting.checked_task(
        {"enabled": enabled, "cron_expression": cron_expression, "script_location": script_location}
    )

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        task = _task(details, task_id)
        changes = {"scheduled_task": task_id, **audit.diff(task, fields)}
        task.update(fields)
        return changes

    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.update_scheduled_task", change=change
    )


def delete_scheduled_task(*, principal: Principal, asset_id: int, task_id: str) -> tuple[Asset, ProvisioningJob]:
    """Remove a scheduled task from the crontab."""

    def change(asset: Asset, details: dict[str, Any]) -> dict[str, Any]:
        details["scheduled_tasks"].remove(_task(details, task_id))
        return {"scheduled_task": task_id}

    return _change_hosting(
        principal=principal, asset_id=asset_id, action="linux_hosting.delete_scheduled_task", change=change
    )
