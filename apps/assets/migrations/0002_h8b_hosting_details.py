"""Linux hostings made before the web-stack contract get its keys: defaults, and a system user of their own."""

from django.db import migrations


def fill_hosting_details(apps, schema_editor):
    from apps.assets.hosting import system_user_for, with_defaults

    Asset = apps.get_model("assets", "Asset")
    taken: dict[int, set[str]] = {}
    for asset in Asset.objects.filter(asset_type="linux_hosting").order_by("pk"):
        details = with_defaults(asset.details or {}, asset.name)
        users = taken.setdefault(asset.account_id, set())
        if not details.get("system_user"):
            details["system_user"] = system_user_for(asset.account_id, asset.name, users)
        users.add(details["system_user"])
        if details != asset.details:
            asset.details = details
            asset.save(update_fields=["details"])


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(fill_hosting_details, migrations.RunPython.noop)]
