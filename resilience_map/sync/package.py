"""Change packages (``.rmsync``): a copy's changes on a USB stick or in an e-mail.

A package is a zip file with two members: ``manifest.json`` (format and schema version, the
sender's replica id and account, what the sender knows, the *floor* — what the receiver is
assumed to have already — and the SHA-256 of the changes) and ``changes.jsonl`` (one change per
line). Everything is checked before anything is applied: a truncated, damaged or altered file
is refused with one sentence and the project is not touched. Applying is one store
transaction: history rows, records, aliases, conflicts and what we know of the sender.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from resilience_map import __version__
from resilience_map.store import lineage
from resilience_map.store.merge import MergeResult, merge_writes
from resilience_map.store.schema import SCHEMA_VERSION
from resilience_map.sync import state
from resilience_map.sync.changes import (
    ChangeFormatError,
    write_from_json,
    write_to_json,
)
from resilience_map.sync.rights import Account, Rights

FORMAT = "resilience-map-sync"
FORMAT_VERSION = 1
SUFFIX = ".rmsync"


class PackageError(ValueError):
    """A package that cannot be applied; the message is one sentence for the user."""


@dataclass(frozen=True)
class Package:
    path: Path
    manifest: dict
    writes: list[lineage.Write]

    @property
    def sender(self) -> str:
        return str(self.manifest["sender"])

    @property
    def account(self) -> Account | None:
        acc = self.manifest.get("sender_account")
        return Account(acc["name"], acc.get("municipality")) if isinstance(acc, dict) else None


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    changes: int
    size: int
    sender: str


@dataclass
class ImportSummary:
    package: Package
    merge: MergeResult
    refused: list[tuple[lineage.Write, str]] = field(default_factory=list)
    dry_run: bool = False


# --- export ------------------------------------------------------------------------------------

def export_package(store, out: Path, *, for_replica: str | None = None, since: str | None = None,
                   account: Account | None = None) -> ExportSummary:
    """Write the changes the receiver has not seen: all of them, or those beyond what we know
    ``for_replica`` has, or those made since a date."""
    conn = store.connection
    if for_replica and since:
        raise PackageError("Give either --for or --since, not both.")
    if for_replica:
        floor = state.peer_knowledge(conn, for_replica)
        if not floor and for_replica != store.replica_id:
            raise PackageError(f"This project has never received a package from replica {for_replica}, so it "
                               "cannot tell what that copy has; export everything (leave out --for).")
    elif since:
        floor = floor_before(conn, since)
    else:
        floor = {}
    writes = lineage.writes_after(conn, floor)
    lines = "".join(json.dumps(write_to_json(w), ensure_ascii=False, separators=(",", ":")) + "\n" for w in writes)
    payload = lines.encode("utf-8")
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": SCHEMA_VERSION,
        "app_version": __version__, "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "sender": store.replica_id, "sender_title": store.meta("title", "") or "",
        "sender_account": {"name": account.name, "municipality": account.municipality} if account else None,
        "knowledge": lineage.knowledge(conn), "floor": floor, "changes": len(writes),
        "changes_sha256": hashlib.sha256(payload).hexdigest(),
    }
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.writing")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        zf.writestr("changes.jsonl", payload)
    os.replace(tmp, out)
    own = [w.seq for w in writes if w.origin == store.replica_id]
    if own:
        state.mark_sent(store, "exported", max(own))
    return ExportSummary(out, len(writes), out.stat().st_size, str(store.replica_id))


def floor_before(conn, since: str) -> dict[str, int]:
    """For each replica, its last change made before ``since`` (a date or date and time)."""
    try:
        moment = datetime.fromisoformat(since) if "T" in since or " " in since else datetime.combine(
            date.fromisoformat(since), datetime.min.time())
    except ValueError:
        raise PackageError(f"--since {since!r} is not a date (YYYY-MM-DD) or date and time.") from None
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment.tzinfo is None else \
        moment.astimezone().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    rows = conn.execute('SELECT origin, MAX(seq) FROM "change_history" WHERE origin IS NOT NULL AND hlc < ? '
                        "GROUP BY origin", (stamp,))
    return {o: s for o, s in rows}


# --- reading and checking ----------------------------------------------------------------------

def read_package(path: Path) -> Package:
    """Open and check a package completely; raises PackageError with one sentence."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise PackageError(f"{path} does not exist.")
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json").decode("utf-8"))
            payload = zf.read("changes.jsonl")
    except KeyError as exc:
        raise PackageError(f"{name} is not a Resilience Map change package (it lacks {exc.args[0]}).") from None
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise PackageError(f"{name} is truncated or damaged and cannot be read ({exc}); "
                           "nothing was applied.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageError(f"{name}: its manifest is not valid JSON; nothing was applied.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError(f"{name} is not a Resilience Map change package.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageError(f"{name} uses package format {manifest.get('format_version')}; this version "
                           f"reads format {FORMAT_VERSION}. Update the app.")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise PackageError(f"{name} was made from a project with schema {manifest.get('schema_version')}; "
                           f"this project has schema {SCHEMA_VERSION}. Update both apps to the same version.")
    if hashlib.sha256(payload).hexdigest() != manifest.get("changes_sha256"):
        raise PackageError(f"{name} has been altered or damaged: its changes do not match their checksum; "
                           "nothing was applied.")
    try:
        lines = payload.decode("utf-8").splitlines()
        writes = [write_from_json(json.loads(line), f"change {i}") for i, line in enumerate(lines, 1)]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{name}: a change is not valid JSON ({exc}); nothing was applied.") from None
    except ChangeFormatError as exc:
        raise PackageError(f"{name}: {exc}; nothing was applied.") from None
    if len(writes) != manifest.get("changes"):
        raise PackageError(f"{name} holds {len(writes)} changes but says {manifest.get('changes')}; "
                           "nothing was applied.")
    for key in ("knowledge", "floor"):
        if not _is_vector(manifest.get(key)):
            raise PackageError(f"{name}: its manifest's '{key}' is invalid; nothing was applied.")
    return Package(path, manifest, writes)


def _is_vector(value: object) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in value.items())


# --- importing ---------------------------------------------------------------------------------

class _DryRun(Exception):
    pass


def import_package(store, path: Path | Package, *, dry_run: bool = False) -> ImportSummary:
    """Check a package (unless already read), then apply what this copy has not seen in one
    transaction."""
    package = path if isinstance(path, Package) else read_package(path)
    if package.sender == store.replica_id:
        raise PackageError(f"{package.path.name} was made from this very copy; nothing to import.")
    ours = lineage.knowledge(store.connection)
    missing = {o: s for o, s in package.manifest["floor"].items() if ours.get(o, 0) < s}
    if missing:
        origin, seq = next(iter(missing.items()))
        raise PackageError(
            f"{package.path.name} assumes this project already has changes 1–{seq} of replica {origin} "
            f"(it has {ours.get(origin, 0)}); ask the sender for a package made with "
            f"--for {store.replica_id}. Nothing was applied.")
    accepted, refused = [], []
    rights = Rights(store, package.account, package.writes)
    for w in package.writes:
        reason = rights.refusal(w)
        if reason is None:
            accepted.append(w)
        else:
            refused.append((w, reason))
    summary = ImportSummary(package, MergeResult(), refused, dry_run)
    try:
        with store.transaction():
            summary.merge = merge_writes(store, accepted)
            state.learn_peer(store.connection, package.sender, package.manifest["knowledge"])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary
