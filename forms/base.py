"""The base class of every task screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from wtforms import Form
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs predate 3.3

__all__ = ["N_", "SelectChoice", "TaskForm"]


def N_(text: str) -> str:  # noqa: N802 - the gettext marker convention
    """Marks a label or help text for translation; the template translates it when rendering."""
    return text


class TaskForm(Form):
    form_key: ClassVar[str] = ""
    title: ClassVar[str] = ""

    class Meta:
        locales = ("zh_Hans",)

    def to_task_data(self) -> dict[str, Any]:
        """Field data as JSON-safe task data: dates as ISO strings, decimals as strings."""
        return {field.name: _json_safe(field.data) for field in self}

    @classmethod
    def from_task_data(cls, data: Mapping[str, Any], locale: str = "zh_Hans") -> TaskForm:
        """A form pre-filled from task data (ISO strings back to dates where a field wants one)."""
        form = cls(meta={"locales": [locale]})
        for field in form:
            if field.name in data:
                field.process_data(_from_json(field, data[field.name]))
        return form


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _from_json(field: Any, value: Any) -> Any:
    if isinstance(value, str) and field.type == "DateField":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value
