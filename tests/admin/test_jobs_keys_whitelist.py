"""Provisioning jobs (retry), API keys (revoke) and IP whitelist entries (add, remove) in the operator admin."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.models import Status
from apps.apikeys.services import create_api_key
from apps.core.models import AuditEvent
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.services import add_whitelist_entry
from apps.provisioning.jobs import record_job
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.admin.conftest import form_errors, messages_of


def failed_job(principal, account) -> ProvisioningJob:
    job = record_job(principal=principal, action="account.suspend", target=account)
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, attempts=1, error={"code": "driver_error", "detail": "disk full"}
    )
    return job


def action(op_client, changelist: str, name: str, objects):
    return op_client.post(
        reverse(f"admin:{changelist}_changelist"), {"action": name, "_selected_action": [o.pk for o in objects]}
    )


# -- provisioning jobs ------------------------------------------------------------------------------------------------


def test_retry_action_runs_failed_jobs_again_through_the_service(
    op_client, operator, full_a, account_a, django_capture_on_commit_callbacks
):
    job = failed_job(full_a, account_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = action(op_client, "provisioning_provisioningjob", "retry_selected", [job])

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == (JobStatus.FINISHED, None, 2)
    account_a.refresh_from_db()
    assert account_a.status == Status.SUSPENDED
    event = AuditEvent.objects.get(action="provisioning_job.retry")
    assert (event.via, event.actor_user, event.object_id) == ("admin", operator, str(job.pk))
    assert "Retrying 1 provisioning job." in messages_of(response)


def test_retry_action_refuses_jobs_that_did_not_fail(op_client, full_a, account_a):
    failed = failed_job(full_a, account_a)
    finished = ProvisioningJob.objects.get(action="account.create")

    response = action(op_client, "provisioning_provisioningjob", "retry_selected", [failed, finished])

    failed.refresh_from_db()
    assert failed.status == JobStatus.PENDING  # its enqueue waits for a commit that a test never makes
    finished.refresh_from_db()
    assert finished.status == JobStatus.FINISHED
    texts = messages_of(response)
    assert any("Only failed jobs can be retried" in t for t in texts)
    assert "Retrying 1 provisioning job." in texts
    assert AuditEvent.objects.filter(action="provisioning_job.retry").count() == 1


def test_jobs_are_read_only(op_client, account_a):
    job = ProvisioningJob.objects.get(action="account.create")
    change = reverse("admin:provisioning_provisioningjob_change", args=[job.pk])

    page = op_client.get(change)
    assert page.status_code == 200
    assert "account.create" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert op_client.post(change, {"status": "failed"}).status_code == 403
    assert op_client.post(reverse("admin:provisioning_provisioningjob_delete", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED


def test_job_list_filters_by_status_action_and_reseller(op_client, full_a, account_a, account_b):
    failed = failed_job(full_a, account_a)
    url = reverse("admin:provisioning_provisioningjob_changelist")

    def listed(**params):
        return list(op_client.get(url, params).context["cl"].result_list)

    assert listed(status__exact="failed") == [failed]
    assert {j.action for j in listed(action="account.create")} == {"account.create"}
    assert {j.reseller_id for j in listed(reseller__id__exact=account_b.reseller_id)} == {account_b.reseller_id}


# -- API keys ---------------------------------------------------------------------------------------------------------


def test_revoke_action_goes_through_the_service(op_client, operator, full_a):
    api_key, _ = create_api_key(principal=full_a, level="read", name="ci")

    response = action(op_client, "apikeys_apikey", "revoke_selected", [api_key])

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    event = AuditEvent.objects.get(action="api_key.revoke")
    assert (event.via, event.actor_user, event.reseller) == ("admin", operator, full_a.reseller)
    assert "API keys revoked: 1." in messages_of(response)

    again = action(op_client, "apikeys_apikey", "revoke_selected", [api_key])
    assert any("already revoked" in t for t in messages_of(again))
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1


def test_api_keys_cannot_be_added_changed_or_deleted(op_client, full_a):
    api_key, _ = create_api_key(principal=full_a, level="read", name="ci")
    change = reverse("admin:apikeys_apikey_change", args=[api_key.pk])

    assert op_client.post(change, {"level": "full", "name": "x"}).status_code == 403
    assert op_client.post(reverse("admin:apikeys_apikey_delete", args=[api_key.pk]), {"post": "yes"}).status_code == 403
    api_key.refresh_from_db()
    assert (api_key.level, api_key.name) == ("read", "ci")


# -- IP whitelist -----------------------------------------------------------------------------------------------------


def test_whitelist_add_goes_through_the_service_and_normalizes(op_client, operator, tenant_a):
    response = op_client.post(
        reverse("admin:ipwhitelist_ipwhitelistentry_add"),
        {"reseller": tenant_a["reseller"].pk, "cidr": " 2001:DB8::1/128 ", "description": "office"},
    )

    assert response.status_code == 302
    entry = IpWhitelistEntry.objects.get()
    assert (entry.cidr, entry.created_by, entry.reseller) == ("2001:db8::1", operator, tenant_a["reseller"])
    event = AuditEvent.objects.get(action="whitelist_entry.add")
    assert (event.via, event.actor_user) == ("admin", operator)


def test_whitelist_add_with_host_bits_is_a_cidr_error(op_client, tenant_a):
    response = op_client.post(
        reverse("admin:ipwhitelist_ipwhitelistentry_add"),
        {"reseller": tenant_a["reseller"].pk, "cidr": "192.0.2.1/24", "description": ""},
    )

    assert response.status_code == 200
    assert "has host bits set" in form_errors(response)["cidr"][0]
    assert not IpWhitelistEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_whitelist_entry_cannot_be_edited_but_is_removed_through_the_service(op_client, full_a):
    entry = add_whitelist_entry(principal=full_a, cidr="198.51.100.0/24")
    change = reverse("admin:ipwhitelist_ipwhitelistentry_change", args=[entry.pk])

    assert op_client.get(change).status_code == 200
    assert op_client.post(change, {"reseller": entry.reseller_id, "cidr": "0.0.0.0/0"}).status_code == 403

    response = op_client.post(reverse("admin:ipwhitelist_ipwhitelistentry_delete", args=[entry.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not IpWhitelistEntry.objects.exists()
    assert AuditEvent.objects.get(action="whitelist_entry.remove").via == "admin"
