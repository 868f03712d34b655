"""A write as it travels between copies: a small JSON object, checked field by field.

Nothing from outside is trusted: :func:`write_from_json` refuses an entry whose table,
operation, field or types are not what this version writes, with a sentence naming the entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from resilience_map.store.lineage import RECORD_TABLES_BY_NAME, Write, record_fields

OPERATIONS = {"insert", "update", "delete", "restore", "boundary", "void"}
_ID = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
_BASE = re.compile(r"^[0-9A-Za-z_.-]{1,64}:[0-9]{1,18}$")


class ChangeFormatError(ValueError):
    """An exchanged change is malformed (tampered with, or written by something else)."""


def write_to_json(w: Write) -> dict[str, object]:
    out: dict[str, object] = {"o": w.origin, "s": w.seq, "h": w.hlc, "b": list(w.base), "t": w.table,
                              "u": w.uuid, "op": w.operation, "a": w.author, "at": w.changed_at,
                              "cs": w.change_set}
    if w.field is not None:
        out["f"] = w.field
    if w.old_value is not None:
        out["ov"] = w.old_value
    if w.new_value is not None:
        out["nv"] = w.new_value
    if w.payload is not None:
        out["p"] = w.payload.hex()
    return out


def write_from_json(data: object, where: str) -> Write:
    """Check and convert one exchanged change; ``where`` names it in the error ("change 17")."""
    if not isinstance(data, Mapping):
        raise ChangeFormatError(f"{where} is not an object")

    def text(key: str, optional: bool = False) -> str | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise ChangeFormatError(f"{where}: '{key}' is missing or not text")
        return value

    origin, table, operation = text("o"), text("t"), text("op")
    seq = data.get("s")
    if not _ID.match(origin or "") or not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ChangeFormatError(f"{where}: its replica id or sequence number is invalid")
    if table not in RECORD_TABLES_BY_NAME:
        raise ChangeFormatError(f"{where}: unknown table '{table}'")
    if operation not in OPERATIONS:
        raise ChangeFormatError(f"{where}: unknown operation '{operation}'")
    field = text("f", optional=True)
    if field is not None and field not in record_fields(table):
        raise ChangeFormatError(f"{where}: {table} has no field '{field}'")
    if operation in ("update", "boundary") and field is None:
        raise ChangeFormatError(f"{where}: an {operation} must name its field")
    base = data.get("b", [])
    if not isinstance(base, list) or not all(isinstance(b, str) and _BASE.match(b) for b in base):
        raise ChangeFormatError(f"{where}: its list of replaced changes is invalid")
    if field is None and operation in ("insert", "restore", "delete"):
        snapshot = text("ov" if operation == "delete" else "nv")
        try:
            ok = isinstance(json.loads(snapshot or ""), dict)
        except ValueError:
            ok = False
        if not ok:
            raise ChangeFormatError(f"{where}: the record it carries is not valid JSON")
    payload = text("p", optional=True)
    try:
        blob = bytes.fromhex(payload) if payload is not None else None
    except ValueError:
        raise ChangeFormatError(f"{where}: its geometry is not hexadecimal") from None
    return Write(origin or "", seq, text("h") or "", tuple(base), table or "", text("u") or "",
                 operation or "", field, text("ov", True), text("nv", True), blob,
                 text("a", True) or "", text("at", True) or "", text("cs", True) or "")
