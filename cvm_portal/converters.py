"""URL converters. ``<id:pk>`` is ``<int:pk>`` bounded to the database's integers, for every
URL that names a row by its id: a longer number is a 404, never a query that overflows (a 500
on SQLite, whose integers stop at 2**63 - 1, like PostgreSQL's bigint primary keys)."""

from django.urls import register_converter

MAX_ID = 2**63 - 1  # BigAutoField (DEFAULT_AUTO_FIELD), on SQLite and PostgreSQL alike


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # Django answers "no such URL": 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
