"""Provisioning jobs: `GET /v2/provisioningjobs/{jobId}` as in the reference, and Paneel's job list."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.provisioning.filters import ProvisioningJobFilterSet
from apps.provisioning.models import JobStatus, ProvisioningJob

# The reference's `ProvisioningJobStatus`; "finished" is answered as 201 with resource links instead.
PROVISIONING_JOB_STATUS = ["ongoing", "cancelled", "failed", "finished"]


class CompletionOut(serializers.Serializer):
    estimate = serializers.DateTimeField(required=False, help_text="Absent when the job has no estimate.")


class JobErrorOut(serializers.Serializer):
    """Why a job failed, as a problem object (empty for a cancelled job)."""

    code = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    status = serializers.IntegerField(required=False)
    detail = serializers.CharField(required=False)


class JobOngoingOut(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=PROVISIONING_JOB_STATUS)
    completion = CompletionOut(required=False, help_text="While the job is ongoing.")
    error = JobErrorOut(required=False, help_text="When the job failed or was cancelled.")


class JobFinishedOut(serializers.Serializer):
    id = serializers.CharField()
    resource_links = serializers.ListField(child=serializers.CharField())


class JobOut(serializers.ModelSerializer):
    """A job in Paneel's list: what it does, to what, and how it ended."""

    id = serializers.CharField()

    class Meta:
        model = ProvisioningJob
        fields = [
            "id",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "status",
            "resource_links",
            "error",
            "estimate",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]


def job_row(row: dict) -> dict:
    """`JobOut` of a `.values()` row (the list's hot path)."""
    row["id"] = str(row["id"])
    return row


def job_representation(job: ProvisioningJob) -> tuple[int, dict]:
    """The reference's two shapes: 200 while ongoing (or failed/cancelled), 201 with resource links when done."""
    if job.status == JobStatus.FINISHED:
        return 201, {"id": str(job.pk), "resource_links": job.resource_links}
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
        body = {"id": str(job.pk), "status": job.status, "error": job.error or {}}
        ended = job.finished_at or job.estimate
        if ended:  # the reference's clients read `completion` on every status: when the job ended
            body["completion"] = {"estimate": ended.isoformat().replace("+00:00", "Z")}
        return 200, body
    # The reference's `estimate` is a date-time, never null: a job without one says nothing about it.
    completion = {"estimate": job.estimate.isoformat().replace("+00:00", "Z")} if job.estimate else {}
    return 200, {"id": str(job.pk), "status": "ongoing", "completion": completion}


class JobDetail(ApiView):
    """Poll a job: 200 `ongoing` with an estimate, 201 with `resource_links` when finished, 200 with an `error`
    problem object when it failed or was cancelled."""

    serializer_class = JobOngoingOut

    @extend_schema(
        operation_id="provisioningjobs_retrieve",
        summary="Poll a provisioning job",
        parameters=[
            OpenApiParameter("job_id", OpenApiTypes.UUID, OpenApiParameter.PATH),
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                description="The first of `resource_links` (absent when the job links to nothing).",
            ),
        ],
        responses={
            200: OpenApiResponse(JobOngoingOut, description="Ongoing (poll again), failed or cancelled."),
            201: OpenApiResponse(JobFinishedOut, description="Finished; `Location` is the first resource link."),
        },
    )
    def get(self, request, job_id):
        job = ProvisioningJob.objects.get_for_principal(self.principal, pk=job_id)
        status, body = job_representation(job)
        headers = {"Location": body["resource_links"][0]} if status == 201 and body["resource_links"] else {}
        return Response(body, status=status, headers=headers)


class JobList(ApiView):
    """The reseller's provisioning jobs, newest first."""

    compiled_lists, compiled_filters = True, frozenset(ProvisioningJobFilterSet.base_filters)
    queryset = ProvisioningJob.objects.none()  # schema introspection only; get_queryset scopes to the principal
    serializer_class = JobOut
    filterset_class = ProvisioningJobFilterSet

    def get_queryset(self):
        return ProvisioningJob.objects.for_principal(self.principal).order_by("-created_at", "-pk")

    @extend_schema(
        operation_id="provisioningjobs_list",
        summary="The reseller's jobs, newest first",
        responses={200: JobOut(many=True)},
    )
    def get(self, request):
        return self.list_response(self.get_queryset, tuple(JobOut.Meta.fields), transform=job_row)
