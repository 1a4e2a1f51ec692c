"""Focus for panel forms, without JavaScript: the first field on a form page, the first field in error after an
invalid submit (so a keyboard or screen-reader user lands where the problem is, not on the page's body)."""

from __future__ import annotations

from django import template

register = template.Library()


def _focus_name(form, secondary: bool) -> str | None:
    visible = [field for field in form.visible_fields() if not field.field.disabled]
    if not visible:
        return None
    if form.is_bound and form.errors:
        with_error = [field for field in visible if field.errors]
        return (with_error or visible)[0].name
    if secondary:  # a form below the page's main content: focusing it would scroll the page away
        return None
    return visible[0].name


@register.filter
def takes_focus(field, form) -> bool:
    """Whether `field` is the one of `form` that gets the focus when the page loads."""
    return _focus_name(form, secondary=False) == field.name


@register.filter
def takes_focus_secondary(field, form) -> bool:
    return _focus_name(form, secondary=True) == field.name


@register.filter
def autofocused(field):
    """The field's widget with `autofocus` (and the usual aria-invalid / aria-describedby)."""
    return field.as_widget(attrs={"autofocus": True})
