"""A batch of records column by column: their stored values and the JSON text of those values.

An import writes 100,000 records at once; turning each into a row dict, a natural-key list and a
history snapshot one record after the other is most of the cost of writing them. Done a column
at a time the same values and texts come out of a few C-level passes (``map``, ``set``,
``str.format``): a column whose values are all of one plain type is checked once, a text that
recurs (a municipality's uuid in 200 values, the author in all) is encoded once.

Every text made here is exactly what the JSON encoder gives for the whole row or list: the tests
compare the two.
"""

from __future__ import annotations

import math
import operator
import typing
from collections.abc import Callable, Sequence

from resilience_map.domain.records import Record
from resilience_map.store.schema import to_column

#: Stored values that need no conversion (what :func:`~.schema.record_to_row` passes as they are).
_AS_STORED = frozenset({str, int, float, bool, type(None)})

Encoder = Callable[[object], str]


def stored_columns(records: Sequence[Record], names: Sequence[str]) -> list[list[object]]:
    """For each of ``names``, the records' values as SQLite stores them (enums by value, dates as
    ISO text, lists and dicts as JSON text): :func:`~.schema.record_to_row`, by column."""
    out = []
    for name in names:
        column = list(map(operator.attrgetter(name), records))
        if not set(map(type, column)) <= _AS_STORED:
            column = [v if v is None or type(v) in _AS_STORED else to_column(v) for v in column]
        out.append(column)
    return out


def json_texts(values: list[object], encode: Encoder) -> list[str]:
    """``encode(v)`` of each plain value (text, number, bool, None), each distinct text encoded once.

    ``encode`` must be a :class:`json.JSONEncoder`'s ``encode`` (without ``indent``): finite
    floats and integers come out as their ``repr``, which is what it writes for them."""
    kinds = set(map(type, values))
    if kinds == {float} and math.isfinite(sum(typing.cast("list[float]", values))):  # NaN or ±inf: so is the sum
        return list(map(float.__repr__, values))
    if kinds == {int}:
        return list(map(int.__repr__, values))
    if len(kinds) == 1 and kinds <= {str, bool, type(None)}:
        distinct = set(values)
        if len(distinct) * 4 < len(values):
            known = {v: encode(v) for v in distinct}
            return list(map(known.__getitem__, values))
    return list(map(encode, values))


def object_texts(names: Sequence[str], columns: Sequence[list[object]], encode: Encoder) -> list[str]:
    """The JSON object text of each row (``{name: value}``, keys sorted), as ``encode`` with
    ``sort_keys=True`` writes the row's dict; ``columns`` hold plain values (see
    :func:`stored_columns`)."""
    order = sorted(range(len(names)), key=names.__getitem__)
    if not order:
        return []
    template = "{{" + ", ".join(_braces(encode(names[i])) + ": {}" for i in order) + "}}"
    return list(map(template.format, *(json_texts(columns[i], encode) for i in order)))


def array_texts(columns: Sequence[list[str]]) -> list[str]:
    """The JSON array text of each row, from the JSON texts of its items (``[a, b]``)."""
    if not columns:
        return []
    template = "[" + ", ".join("{}" for _ in columns) + "]"
    return list(map(template.format, *columns))


def _braces(text: str) -> str:
    """``text`` as a literal part of a :meth:`str.format` template."""
    return text.replace("{", "{{").replace("}", "}}")

