"""Public API documentation: the OpenAPI document, Swagger UI over it (served from local static files, the
drf-spectacular-sidecar app: no CDN), and the error-code page that every problem's `type` points to."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer

from apps.api.errors import ERROR_CODES, MethodNotAllowed
from apps.api.problems import PROBLEM_JSON, json_problem


class OpenApiView(SpectacularAPIView):
    schema = None  # the document does not describe itself
    authentication_classes = []
    permission_classes = []
    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2]  # the route says .json (YAML came first)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Disposition"] = "inline"
        return response


class DocsView(SpectacularSwaggerView):
    """Swagger UI; its CSS, JavaScript and favicon come from STATIC_URL (SWAGGER_UI_DIST = "SIDECAR")."""

    schema = None
    authentication_classes = []
    permission_classes = []
    url_name = "api:openapi"
    title = "Paneel API v2"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:  # a problem is JSON, though the page itself is rendered from a template
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = PROBLEM_JSON
        return response


@csrf_exempt  # a POST gets the 405 problem below, not Django's CSRF page
def errors_page(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return json_problem(MethodNotAllowed(f'Method "{request.method}" not allowed.'), request)
    return render(request, "api/errors.html", {"error_codes": ERROR_CODES})
