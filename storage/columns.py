"""One mapping per table: which columns fill which field of its dataclass, and how a value is
written and read. Adding a column is one :class:`Field` line in its table's mapping (and the
field in storage/models.py); the column lists of its SELECT, INSERT and UPDATE statements and
the reading of a row follow from it.

A table's column lists are worked out once, at import; a statement is that text around a
literal WHERE clause (the hot path's statements are module constants, made once): every value
is a bound parameter, table and column names are this package's
literals, and nothing in the text is particular to SQLite. Reading a row is one list
comprehension over readers worked out at import: no ORM, no look-up by name per row (measured:
no slower than the hand-written constructors it replaced).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from storage.clock import from_db

T = TypeVar("T")


@dataclass(frozen=True)
class Field:
    """One field of a model and the column(s) that hold it.

    ``columns``: usually one name; several when one field spans them (a route, coordinates),
    then ``read`` gets their values as a tuple and ``write`` returns a tuple; none for a field
    filled from elsewhere (a report's items), which a reader takes as an extra argument.
    ``read``: stored value → field value; ``write``: field value → stored value; None: as is.
    """

    name: str
    columns: tuple[str, ...]
    read: Callable[[Any], Any] | None = None
    write: Callable[[Any], Any] | None = None


def column(
    name: str,
    read: Callable[[Any], Any] | None = None,
    write: Callable[[Any], Any] | None = None,
    *,
    field: str | None = None,
) -> Field:
    """A field held by one column of the same name (or named ``field`` in the model)."""
    return Field(field or name, (name,), read, write)


def optional(convert: Callable[[Any], T]) -> Callable[[Any], T | None]:
    """``convert`` for a nullable column: NULL stays None."""

    def read(value: Any) -> T | None:
        return None if value is None else convert(value)

    return read


def moment_or_none(value: str | None) -> datetime | None:
    return None if value is None else from_db(value)


def enum_value(value: Any) -> str | None:
    """An enum member (or None) as the text it is stored as."""
    return None if value is None else str(value.value)


def decimal_to_db(value: Decimal) -> str:
    """Quantities are exact: a Decimal is stored as its text and read back with ``Decimal``."""
    if not value.is_finite():
        raise ValueError(f"quantity must be a finite decimal, not {value}")
    return str(value)


def factor_to_db(value: Decimal | None) -> str | None:
    return None if value is None else decimal_to_db(value)


class Table(Generic[T]):
    """A table and the dataclass its rows become, the fields listed in the model's order."""

    def __init__(self, name: str, model: Callable[..., T], fields: Sequence[Field]) -> None:
        self.name = name
        self.fields = {f.name: f for f in fields}
        self._column_names = [c for f in fields for c in f.columns]
        #: The SELECT list, in the order :meth:`read` expects.
        self.columns = ", ".join(self._column_names)
        self._model = model
        self._getters = _getters(fields, len(self._column_names))
        self._extras = any(not f.columns for f in fields)

    def select(self, where: str) -> str:
        """``SELECT <columns> FROM <table> WHERE <where>``; ``where`` is a literal with ``?``."""
        return f"SELECT {self.columns} FROM {self.name} WHERE {where}"

    def prefixed(self, alias: str) -> str:
        """The SELECT list for a join, each column as ``alias.column``."""
        return ", ".join(f"{alias}.{name}" for name in self._column_names)

    def read(self, row: Sequence[Any], *extra: Any) -> T:
        """The model of a row selected with :attr:`columns`; ``extra``: the values of the
        fields without columns, in their order."""
        values = (*row, *extra) if self._extras else row
        return self._model(
            *[values[at] if read is None else read(values[at]) for read, at in self._getters]
        )

    def writer(self, *names: str) -> Writer:
        """What writes the fields ``names`` (their columns, in that order); fields without a
        column of this table (a report's items) are left out."""
        return Writer([self.fields[n] for n in names if self.fields[n].columns])


def _getters(
    fields: Sequence[Field], column_count: int
) -> tuple[tuple[Callable[[Any], Any] | None, int | slice], ...]:
    """Where each field's value is in a row (then the extras after it), and how it is read."""
    getters: list[tuple[Callable[[Any], Any] | None, int | slice]] = []
    at = 0
    extra = column_count
    for f in fields:
        if not f.columns:
            getters.append((f.read, extra))
            extra += 1
        elif len(f.columns) == 1:
            getters.append((f.read, at))
        else:
            getters.append((f.read, slice(at, at + len(f.columns))))
        at += len(f.columns)
    return tuple(getters)


class Writer:
    """Some fields of a model written to their columns: the column lists of an INSERT or an
    UPDATE, and the values of an object for them, in the same order."""

    def __init__(self, fields: Iterable[Field]) -> None:
        fields = tuple(fields)
        #: The fields written, in order.
        self.names = tuple(f.name for f in fields)
        names = [c for f in fields for c in f.columns]
        #: ``a, b, c`` for an INSERT's column list.
        self.columns = ", ".join(names)
        #: ``?, ?, ?`` for its VALUES.
        self.placeholders = ", ".join("?" * len(names))
        #: ``a = ?, b = ?, c = ?`` for an UPDATE's SET.
        self.assignments = ", ".join(f"{n} = ?" for n in names)
        self._fields = tuple((f.name, f.write, len(f.columns) > 1) for f in fields)

    def values(self, source: object) -> list[Any]:
        """``source``'s fields as stored, in the order of :attr:`columns`."""
        values: list[Any] = []
        for name, write, spans in self._fields:
            value = getattr(source, name)
            if write is not None:
                value = write(value)
            if spans:
                values.extend(value)
            else:
                values.append(value)
        return values
