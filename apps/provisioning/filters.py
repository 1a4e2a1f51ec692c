"""The one provisioning-job FilterSet, shared by the panel and `GET /v2/provisioningjobs`."""

import django_filters

from apps.provisioning.models import JobStatus, ProvisioningJob


class ProvisioningJobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)
    action = django_filters.CharFilter(field_name="action")
    target_type = django_filters.CharFilter(field_name="target_type")
    target_id = django_filters.CharFilter(field_name="target_id")

    class Meta:
        model = ProvisioningJob
        fields = ["status", "action", "target_type", "target_id"]
