"""Panel pages for provisioning jobs: the list, one job (refreshing itself while it runs), retry."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.principal import Level
from apps.panel.panel import keyset_page, panel_view, run_service
from apps.provisioning import services
from apps.provisioning.filters import ProvisioningJobFilterSet
from apps.provisioning.models import JobStatus, ProvisioningJob


@panel_view()
def job_list(request):
    filterset = ProvisioningJobFilterSet(
        request.GET or None, queryset=ProvisioningJob.objects.for_principal(request.principal)
    )
    page = keyset_page(request, filterset.qs, count=False) if not filterset.is_bound or filterset.is_valid() else None
    return render(
        request,
        "provisioning/job_list.html",
        {"filterset": filterset, "page": page, "statuses": JobStatus.choices},
    )


def target_url(job: ProvisioningJob) -> str | None:
    """Where the panel shows the job's target, while it exists."""
    if job.target_type == "account":
        return reverse("accounts:detail", kwargs={"account_id": job.target_id})
    if job.target_type == "asset":
        return reverse("assets:detail", kwargs={"asset_id": job.target_id})
    return None


@panel_view()
def job_detail(request, job_id):
    job = ProvisioningJob.objects.get_for_principal(request.principal, pk=job_id)
    target_exists = job.status != JobStatus.FINISHED or not job.action.endswith(".delete")
    return render(
        request,
        "provisioning/job_detail.html",
        {"job": job, "target_url": target_url(job) if target_exists else None},
    )


@panel_view(Level.WRITE)
@require_POST
def job_retry(request, job_id):
    job = ProvisioningJob.objects.get_for_principal(request.principal, pk=job_id)
    if run_service(request, services.retry_job, principal=request.principal, job_id=job.pk):
        messages.success(request, f"Job {job.action} for {job.target_repr} is queued again.")
    return redirect("provisioning:job_detail", job_id=job.pk)
