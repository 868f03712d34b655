"""Column-at-a-time texts (store/columns.py) are exactly what the JSON encoder writes per row.

History snapshots and natural keys are compared across copies of a project (sync), so a batch
written column by column must produce the very text a record written alone gets.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from resilience_map.domain.enums import MemberSector, StructureType
from resilience_map.domain.records import IndicatorValue, PreventionStructure
from resilience_map.store.columns import array_texts, json_texts, object_texts, stored_columns
from resilience_map.store.lineage import key_text
from resilience_map.store.rows import to_history_json
from resilience_map.store.schema import RECORD_TABLES, record_to_row

_plain = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                   st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
                   st.sampled_from(["{}", "{0}", '"', "\\", "Приштина", "Çair", "", " ", "-0.0"]))
#: A column: many values of one kind (the fast paths), repeated texts, or anything mixed.
_column = st.one_of(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=30),
                    st.lists(st.floats(), max_size=30),
                    st.lists(st.integers(), max_size=30),
                    st.lists(st.sampled_from(["a", "b", "{x}", "é"]), max_size=40),
                    st.lists(st.booleans(), max_size=30),
                    st.lists(_plain, max_size=30))


@settings(max_examples=300, deadline=None)
@given(_column)
def test_each_value_is_encoded_as_the_encoder_writes_it(values: list[object]) -> None:
    assert json_texts(values, key_text) == [key_text(v) for v in values]
    assert json_texts(values, to_history_json) == [to_history_json(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_plain, _plain, _plain), max_size=20),
       st.sampled_from([("b", "a", "{c}"), ("uuid", "value", "é"), ("z", "y", "x")]))
def test_rows_are_written_as_their_dicts_and_lists(rows: list[tuple[object, object, object]],
                                                   names: tuple[str, str, str]) -> None:
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], []]
    assert object_texts(names, columns, to_history_json) == \
        [to_history_json(dict(zip(names, row, strict=True))) for row in rows]
    parts = [json_texts(c, key_text) for c in columns]
    assert array_texts(parts) == [key_text(list(row)) for row in rows]


def test_stored_columns_are_the_rows_sqlite_gets() -> None:
    structures = [PreventionStructure(municipality_uuid="m", structure_type=StructureType.CAT,
                                      established=date(2020, 1, k + 1), member_sectors=(MemberSector.POLICE,) * k)
                  for k in range(3)]
    names = RECORD_TABLES[PreventionStructure].columns()
    assert [list(row) for row in zip(*stored_columns(structures, names), strict=True)] == \
        [list(record_to_row(r).values()) for r in structures]
    records = [IndicatorValue(municipality_uuid="m", indicator_uuid="i", wave_uuid=f"w{k}", value=k / 3,
                              neighbourhood="Čair" if k % 2 else "") for k in range(5)]
    names = RECORD_TABLES[IndicatorValue].columns()
    assert [list(row) for row in zip(*stored_columns(records, names), strict=True)] == \
        [list(record_to_row(r).values()) for r in records]
