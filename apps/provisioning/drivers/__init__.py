"""Provisioning drivers, one class per asset type, chosen by `settings.PANEEL_DRIVERS` (DESIGN 6.3).

Nothing here imports Django at module level, so the drivers and their tests run without configured settings.
"""

from __future__ import annotations

from apps.provisioning.drivers.base import AssetSpec, Driver, DriverError, ServerInfo

__all__ = ["LOCAL_DRIVERS", "AssetSpec", "Driver", "DriverError", "ServerInfo", "get_driver"]

# The drivers that need nothing but a directory: what `make run` uses when no server is configured.
LOCAL_DRIVERS: dict[str, str] = {
    "linux_hosting": "apps.provisioning.drivers.local.LinuxHostingDriver",
    "mailbox": "apps.provisioning.drivers.mail.LocalMailboxDriver",
    "mail_zone": "apps.provisioning.drivers.mail.MailZoneDriver",
    "mysql": "apps.provisioning.drivers.local.LocalMySQLDriver",
}


def get_driver(asset_type: str, server: ServerInfo | None = None) -> Driver:
    """Return a new instance of the driver configured for `asset_type` in `settings.PANEEL_DRIVERS`, working on
    `server` (the server the job runs on; None: the worker's own configuration).

    Falls back to `LOCAL_DRIVERS` when the setting is absent; raises `DriverError` (code ``no_driver``) for an
    asset type without a driver.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    drivers = getattr(settings, "PANEEL_DRIVERS", LOCAL_DRIVERS)
    try:
        path = drivers[asset_type]
    except KeyError:
        raise DriverError(f"No driver is configured for asset type '{asset_type}'.", code="no_driver") from None
    driver_class = import_string(path)
    if not (isinstance(driver_class, type) and issubclass(driver_class, Driver)):
        raise DriverError(f"{path} is not a provisioning driver.", code="no_driver")
    driver = driver_class.for_server(server)
    if not isinstance(driver, Driver):
        raise DriverError(f"{path} is not a provisioning driver.", code="no_driver")
    return driver
