"""The `ordering` query parameter: DRF's OrderingFilter, always ending on the primary key so pages are stable."""

from rest_framework.filters import OrderingFilter


class StableOrdering(OrderingFilter):
    """`?ordering=-created_at` etc. over a view's `ordering_fields`; ties are broken by `pk` in the same direction."""

    def get_valid_fields(self, queryset, view, context=None):
        """The view's `ordering_fields` that are fields of its model (a base default may name one it lacks)."""
        names = {field.name for field in queryset.model._meta.get_fields()} | {"pk"}
        valid = super().get_valid_fields(queryset, view, context or {})
        return [(field, label) for field, label in valid if field in names]

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        last_descending = ordering[-1].startswith("-")
        if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            ordering = [*ordering, "-pk" if last_descending else "pk"]
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view):
        from drf_spectacular.plumbing import get_view_model

        model = get_view_model(view, emit_warnings=False)
        names = {field.name for field in model._meta.get_fields()} | {"pk"} if model else set()
        fields = [name for name in getattr(view, "ordering_fields", []) if not names or name in names]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Order by " + ", ".join(f"`{name}`" for name in fields) + " (comma-separated; a "
                "leading `-` for descending). Ties are broken by id; unknown fields are ignored.",
                "schema": {"type": "string"},
            }
        ]
