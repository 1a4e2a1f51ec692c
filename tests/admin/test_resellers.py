"""Resellers and servicepacks (the operator's own, audited plain saves) and members (through the member services)."""

from __future__ import annotations

from django.urls import reverse

from apps.core.models import AuditEvent
from apps.resellers.models import Membership, Reseller
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem
from tests.admin.conftest import form_data, form_errors, messages_of
from tests.conftest import make_user


def membership_of(tenant, role) -> Membership:
    return Membership.objects.get(user=tenant[role], reseller=tenant["reseller"])


# -- members, own admin -----------------------------------------------------------------------------------------------


def test_add_member_goes_through_the_service(op_client, operator, tenant_a, outsider):
    response = op_client.post(
        reverse("admin:resellers_membership_add"),
        {"user": outsider.pk, "reseller": tenant_a["reseller"].pk, "level": "write"},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider)
    assert (membership.reseller, membership.level) == (tenant_a["reseller"], "write")
    event = AuditEvent.objects.get(action="member.add")
    assert (event.via, event.actor_user, event.reseller) == ("admin", operator, tenant_a["reseller"])
    assert event.changes == {"user": outsider.email, "level": "write"}


def test_add_member_for_an_inactive_user_is_a_user_error(op_client, tenant_a, outsider):
    outsider.is_active = False
    outsider.save()

    response = op_client.post(
        reverse("admin:resellers_membership_add"),
        {"user": outsider.pk, "reseller": tenant_a["reseller"].pk, "level": "read"},
    )

    assert response.status_code == 200
    assert "No active user" in form_errors(response)["user"][0]
    assert not Membership.objects.filter(user=outsider).exists()
    assert not AuditEvent.objects.exists()


def test_add_member_never_adds_another_user_with_the_same_e_mail(op_client, tenant_a, outsider):
    twin = make_user("twin")
    twin.email = outsider.email  # the service finds users by e-mail: it would pick `outsider`, the older one
    twin.save()

    response = op_client.post(
        reverse("admin:resellers_membership_add"),
        {"user": twin.pk, "reseller": tenant_a["reseller"].pk, "level": "read"},
    )

    assert response.status_code == 200
    assert "Another user shares the e-mail address" in form_errors(response)["__all__"][0]
    assert not Membership.objects.filter(user__in=[outsider, twin]).exists()
    assert not AuditEvent.objects.exists()


def test_level_change_goes_through_the_service(op_client, tenant_a):
    reader = membership_of(tenant_a, "reader")
    url = reverse("admin:resellers_membership_change", args=[reader.pk])

    response = op_client.post(url, form_data(op_client.get(url), level="full"))

    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.level == "full"
    assert AuditEvent.objects.get(action="member.change_level").changes == {"level": ["read", "full"]}


def test_demoting_the_last_full_member_is_refused(op_client, tenant_a):
    owner = membership_of(tenant_a, "owner")
    url = reverse("admin:resellers_membership_change", args=[owner.pk])

    response = op_client.post(url, form_data(op_client.get(url), level="read"))

    assert response.status_code == 200
    assert "at least one member with level 'full'" in form_errors(response)["__all__"][0]
    owner.refresh_from_db()
    assert owner.level == "full"
    assert not AuditEvent.objects.exists()


def test_removing_the_last_full_member_is_refused_and_deletes_nothing(op_client, tenant_a):
    owner = membership_of(tenant_a, "owner")

    response = op_client.post(reverse("admin:resellers_membership_delete", args=[owner.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert any("at least one member with level 'full'" in t for t in messages_of(response))
    assert Membership.objects.filter(pk=owner.pk).exists()
    assert not AuditEvent.objects.exists()


def test_removing_a_member_goes_through_the_service(op_client, tenant_a):
    reader = membership_of(tenant_a, "reader")

    response = op_client.post(reverse("admin:resellers_membership_delete", args=[reader.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=reader.pk).exists()
    assert AuditEvent.objects.get(action="member.remove").via == "admin"
    assert "The membership “alpha-reader @ Alpha (read)” was deleted successfully." in messages_of(response)


def test_bulk_remove_reports_the_last_full_member_and_removes_the_others(op_client, tenant_a):
    owner, reader = membership_of(tenant_a, "owner"), membership_of(tenant_a, "reader")

    response = op_client.post(
        reverse("admin:resellers_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [owner.pk, reader.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(pk=owner.pk).exists()
    assert not Membership.objects.filter(pk=reader.pk).exists()
    texts = messages_of(response)
    assert any(t.startswith("alpha-owner @ Alpha (full): ") for t in texts)
    assert "Deletion started for 1 membership." in texts


# -- members, inline in the reseller ----------------------------------------------------------------------------------


def reseller_url(tenant) -> str:
    return reverse("admin:resellers_reseller_change", args=[tenant["reseller"].pk])


def inline_index(page, membership) -> int:
    formset = page.context["inline_admin_formsets"][0].formset
    return next(i for i, form in enumerate(formset.forms) if form.instance.pk == membership.pk)


def test_inline_refuses_removing_the_last_full_member(op_client, tenant_a):
    owner = membership_of(tenant_a, "owner")
    page = op_client.get(reseller_url(tenant_a))
    data = form_data(page, **{f"memberships-{inline_index(page, owner)}-DELETE": "on"})

    response = op_client.post(reseller_url(tenant_a), data)

    assert response.status_code == 200
    assert "Membership of alpha-owner: A reseller keeps at least one member" in form_errors(response)["__all__"][0]
    assert Membership.objects.filter(pk=owner.pk).exists()
    assert not AuditEvent.objects.exists()


def test_inline_adds_promotes_and_removes_through_the_services(op_client, tenant_a, outsider):
    owner, writer = membership_of(tenant_a, "owner"), membership_of(tenant_a, "writer")
    page = op_client.get(reseller_url(tenant_a))
    total = int(form_data(page)["memberships-TOTAL_FORMS"])
    data = form_data(
        page,
        **{
            f"memberships-{inline_index(page, owner)}-DELETE": "on",
            f"memberships-{inline_index(page, writer)}-level": "full",
            "memberships-TOTAL_FORMS": str(total + 1),
            f"memberships-{total}-user": str(outsider.pk),
            f"memberships-{total}-level": "read",
        },
    )

    response = op_client.post(reseller_url(tenant_a), data)

    assert response.status_code == 302, form_errors(response)
    assert not Membership.objects.filter(pk=owner.pk).exists()
    writer.refresh_from_db()
    assert writer.level == "full"
    assert Membership.objects.get(user=outsider).level == "read"
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "member.add",
        "member.change_level",
        "member.remove",
    ]
    assert set(AuditEvent.objects.values_list("via", flat=True)) == {"admin"}


# -- resellers and servicepacks: plain saves, audited -----------------------------------------------------------------


def test_reseller_add_change_and_delete_are_audited(op_client, operator):
    response = op_client.post(
        reverse("admin:resellers_reseller_add"),
        {"name": "Charlie", "slug": "charlie", "is_active": "on", **empty_inline("memberships")},
    )
    assert response.status_code == 302
    reseller = Reseller.objects.get(slug="charlie")
    created = AuditEvent.objects.get(action="reseller.create")
    assert (created.via, created.actor_user, created.reseller) == ("admin", operator, reseller)
    assert created.changes["name"] == [None, "Charlie"]

    url = reverse("admin:resellers_reseller_change", args=[reseller.pk])
    op_client.post(url, form_data(op_client.get(url), ratelimit_read_per_minute="30"))
    assert AuditEvent.objects.get(action="reseller.change").changes == {"ratelimit_read_per_minute": [None, 30]}

    op_client.post(url, form_data(op_client.get(url)))  # nothing changed: nothing to record
    assert AuditEvent.objects.filter(action="reseller.change").count() == 1

    op_client.post(reverse("admin:resellers_reseller_delete", args=[reseller.pk]), {"post": "yes"})
    assert not Reseller.objects.filter(pk=reseller.pk).exists()
    deleted = AuditEvent.objects.get(action="reseller.delete")
    assert (deleted.object_repr, deleted.via) == ("Charlie", "admin")


def test_reseller_added_with_its_first_member_in_one_save(op_client, outsider):
    response = op_client.post(
        reverse("admin:resellers_reseller_add"),
        {
            "name": "Delta",
            "slug": "delta",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(outsider.pk),
            "memberships-0-level": "full",
        },
    )

    assert response.status_code == 302
    reseller = Reseller.objects.get(slug="delta")
    assert Membership.objects.get(reseller=reseller).user == outsider
    assert sorted(AuditEvent.objects.filter(reseller=reseller).values_list("action", flat=True)) == [
        "member.add",
        "reseller.create",
    ]


def empty_inline(prefix: str) -> dict:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def test_servicepack_with_items_is_audited_without_a_reseller(op_client, operator, tenant_a):
    response = op_client.post(
        reverse("admin:servicepacks_servicepack_add"),
        {
            "name": "Pro",
            "description": "",
            "is_active": "on",
            "is_restricted": "on",
            "allowed_resellers": [tenant_a["reseller"].pk],
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-asset_type": AssetType.MAILBOX,
            "items-0-max_count": "5",
            "items-0-max_size_mb": "1024",
        },
    )

    assert response.status_code == 302
    pack = ServicePack.objects.get(name="Pro")
    assert pack.items.get().max_count == 5
    event = AuditEvent.objects.get(action="servicepack.create")
    assert (event.via, event.actor_user, event.reseller) == ("admin", operator, None)
    assert event.changes["allowed_resellers"] == [None, [tenant_a["reseller"].pk]]
    assert event.changes["service pack items"] == {"added": [str(pack.items.get())]}

    op_client.post(reverse("admin:servicepacks_servicepack_delete", args=[pack.pk]), {"post": "yes"})
    assert not ServicePack.objects.filter(pk=pack.pk).exists()
    assert AuditEvent.objects.get(action="servicepack.delete").reseller is None


def test_servicepack_item_change_is_audited(op_client, servicepack):
    item = servicepack.items.get(asset_type=AssetType.MAILBOX)
    url = reverse("admin:servicepacks_servicepackitem_change", args=[item.pk])

    assert op_client.post(url, form_data(op_client.get(url), max_count="7")).status_code == 302

    item.refresh_from_db()
    assert item.max_count == 7
    assert AuditEvent.objects.get(action="servicepackitem.change").changes == {"max_count": [3, 7]}


def test_servicepack_in_use_cannot_be_deleted(op_client, account_a, servicepack):
    response = op_client.post(reverse("admin:servicepacks_servicepack_delete", args=[servicepack.pk]), {"post": "yes"})

    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert ServicePack.objects.filter(pk=servicepack.pk).exists()
    assert ServicePackItem.objects.filter(servicepack=servicepack).exists()
    assert not AuditEvent.objects.filter(action="servicepack.delete").exists()
