"""`/v2/windowshostings`: the reseller's Windows hostings, as the reference serves them.

Paneel offers no Windows hosting kind, so the list is empty (paged, with its headers) and every name is 404; a
client of the reference that lists them works unchanged, and the routes answer from real data once a kind exists.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.assets.api.views import AssetView, path_parameter

WINDOWS_HOSTING = "windows_hosting"  # the reference's asset type; no Paneel servicepack holds it yet


class WindowsHostingOut(serializers.Serializer):
    domain_name = serializers.CharField(source="name")
    servicepack_id = serializers.IntegerField(source="account.servicepack_id")


class WindowsSiteOut(serializers.Serializer):
    name = serializers.CharField()
    bindings = serializers.ListField(child=serializers.DictField(), help_text="The site's host name bindings.")


class ApplicationPoolOut(serializers.Serializer):
    runtime = serializers.CharField()
    pipeline_mode = serializers.CharField()
    installed_net_core_runtimes = serializers.ListField(child=serializers.CharField())


class WindowsHostingDetailOut(WindowsHostingOut):
    max_size = serializers.IntegerField(help_text="MB")
    actual_size = serializers.IntegerField(help_text="MB")
    ip = serializers.CharField()
    ip_type = serializers.CharField()
    ftp_username = serializers.CharField()
    application_pool = ApplicationPoolOut()
    sites = WindowsSiteOut(many=True)
    mssql_database_names = serializers.ListField(child=serializers.CharField())


class WindowsHostingView(AssetView):
    asset_type = WINDOWS_HOSTING
    name_kwarg = "domain_name"
    label = "Windows hosting"


class WindowsHostingList(WindowsHostingView):
    @extend_schema(
        operation_id="windowshostings_list",
        summary="Overview of windows hostings",
        description="The reseller's Windows hostings: none while Paneel offers no Windows hosting kind.",
        responses={200: WindowsHostingOut(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(WindowsHostingOut(page, many=True).data)


class WindowsHostingDetail(WindowsHostingView):
    @extend_schema(
        operation_id="windowshostings_retrieve",
        summary="Windows hosting detail",
        description="404 `not_found` for every name while Paneel offers no Windows hosting kind.",
        parameters=[path_parameter("domain_name", "The Windows hosting domain name.")],
        responses={200: WindowsHostingDetailOut},
    )
    def get(self, request, domain_name):
        # Unreachable while no Windows hosting exists (get_asset answers 404); the shape is the reference's.
        return Response(WindowsHostingDetailOut(self.get_asset()).data)
