"""The hub client: set up a hub, add accounts, and synchronise a project with it.

A sync is one PostgreSQL transaction that holds the hub's sync lock (an advisory lock), so
syncs from many laptops run one after another and none can miss another's changes: receive
everything new since our cursor (merged locally with the same rules as a package), send what
the hub has not seen and this account may send, and write the merged state of the records we
sent into the hub's tables (what QGIS shows). The project's side is one store transaction,
committed only after the hub's; if anything fails, neither changes.

Passwords are never stored: the project keeps the hub address without its password. libpq
finds the password in ``PGPASSWORD``, in the password file (``~/.pgpass`` or ``PGPASSFILE``,
which libpq insists is private to its owner), or, in a terminal, it is asked for.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from resilience_map.domain.records import utc_now
from resilience_map.store.lineage import Write, knowledge, write_from_row, writes_after
from resilience_map.store.merge import MergeResult, merge_writes
from resilience_map.sync import hub_schema as hs
from resilience_map.sync import state
from resilience_map.sync.hub_publish import bulk_insert, publish
from resilience_map.sync.rights import Account, Rights

MIN_SERVER_VERSION = 130000


class HubError(RuntimeError):
    """The hub cannot be reached or used; the message is one sentence for the user."""


@dataclass
class SyncResult:
    address: str
    account: Account
    received: int = 0
    sent: int = 0
    merge: MergeResult = field(default_factory=MergeResult)
    refused: list[tuple[Write, str]] = field(default_factory=list)
    not_relayed: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        text = (f"Hub {self.address} as {self.account.describe()}: {self.received:,} changes received, "
                f"{self.sent:,} sent ({verb} applied); records: {len(self.merge.added)} added, "
                f"{len(self.merge.updated)} changed, {len(self.merge.removed)} removed; "
                f"{len(self.merge.new_conflicts)} new conflicts; {len(self.refused)} refused.")
        if self.not_relayed:
            text += f" {self.not_relayed:,} changes made elsewhere were left for their authors to send."
        return text


# --- connecting --------------------------------------------------------------------------------

def address_without_password(url: str) -> str:
    import psycopg.conninfo

    params = psycopg.conninfo.conninfo_to_dict(url)
    params.pop("password", None)
    host = params.get("host", "localhost")
    port = params.get("port", "5432")
    return f"postgresql://{params.get('user', '')}@{host}:{port}/{params.get('dbname', '')}"


def connect(url: str, ask: Callable[[str], str] | None = None):
    """Connect, asking for the password in a terminal when libpq has none."""
    import psycopg

    try:
        return psycopg.connect(url, connect_timeout=15)
    except psycopg.OperationalError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        needs_password = "password" in message.lower() and "authentication failed" not in message.lower()
        if needs_password and (ask or sys.stdin.isatty()):
            password = (ask or getpass.getpass)(f"Password for {address_without_password(url)}: ")
            try:
                return psycopg.connect(url, password=password, connect_timeout=15)
            except psycopg.OperationalError as again:
                exc, message = again, str(again).strip().splitlines()[0]
        raise HubError(f"Cannot connect to the hub {address_without_password(url)}: {message}.") from exc


# --- setting up --------------------------------------------------------------------------------

def init_hub(url: str) -> str:
    import psycopg

    with connect(url) as conn:
        if conn.info.server_version < MIN_SERVER_VERSION:
            raise HubError(f"The hub needs PostgreSQL 13 or newer; this server is {conn.info.server_version}.")
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (hs.SCHEMA,)).fetchone()
        if exists:
            raise HubError(f"{address_without_password(url)} already has a hub (schema {hs.SCHEMA}); nothing changed.")
        try:
            with conn.transaction():
                for statement in hs.hub_ddl():
                    conn.execute(statement)
        except psycopg.errors.FeatureNotSupported as exc:
            raise HubError(f"PostGIS is not installed on the server ({exc}); install postgresql-postgis.") from exc
        except psycopg.errors.InsufficientPrivilege as exc:
            raise HubError("hub init needs the database owner with CREATEROLE (and a superuser if PostGIS is "
                           f"not yet enabled in this database): {str(exc).strip()}.") from exc
    return (f"Hub created in {address_without_password(url)}: schema {hs.SCHEMA}, roles {hs.STAFF_ROLE} and "
            f"{hs.MUNICIPALITY_ROLE}. Add logins with 'resilience-map hub add-account'.")


def add_account(url: str, name: str, password: str, municipality: str | None) -> str:
    from psycopg import sql

    group = hs.STAFF_ROLE if municipality is None else hs.MUNICIPALITY_ROLE
    with connect(url) as conn, conn.transaction():
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
            sql.Identifier(name), sql.Literal(password), sql.Identifier(group)))
        conn.execute(f"INSERT INTO {hs.SCHEMA}.accounts VALUES (%s, %s)", (name, municipality))
    who = "hub staff" if municipality is None else f"municipality {municipality}"
    return f"Account {name} created for {who}."


# --- synchronising -----------------------------------------------------------------------------

class _Rollback(Exception):
    pass


def sync_with_hub(store, url: str, *, dry_run: bool = False, ask: Callable[[str], str] | None = None,
                  connection=None) -> SyncResult:
    """Receive everyone's new changes and send ours, in one go (see the module docstring).

    ``connection``: one already made by :func:`connect` (the window connects off its GUI thread,
    where waiting for a slow or unreachable server cannot freeze it); it is closed at the end."""
    address = address_without_password(url)
    with connection if connection is not None else connect(url, ask) as pg:
        if not pg.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (hs.SCHEMA,)).fetchone():
            raise HubError(f"{address} is not a Resilience Map hub (run 'resilience-map hub init' first).")
        row = pg.execute(f"SELECT role_name, municipality, staff FROM {hs.SCHEMA}.my_account()").fetchone()
        if row is None or (not row[2] and row[1] is None):
            raise HubError(f"The login {row[0] if row else '?'} has no hub account; ask hub staff to add it.")
        account = Account(row[0], None if row[2] else row[1])
        result = SyncResult(address, account, dry_run=dry_run)
        try:
            with store.transaction(), pg.transaction():
                pg.execute("SELECT pg_advisory_xact_lock(%s)", (hs.SYNC_LOCK,))
                top = _receive(store, pg, address, result)
                pushed = _send(store, pg, account, result)
                top = pg.execute(f"SELECT COALESCE(MAX(server_seq), 0) FROM {hs.SCHEMA}.changes").fetchone()[0] \
                    if pushed else top
                _remember(store, address, account, top, result)
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
    return result


def _receive(store, pg, address: str, result: SyncResult) -> int:
    row = store.connection.execute('SELECT cursor FROM "sync_hubs" WHERE address = ?', (address,)).fetchone()
    cursor = row[0] if row else 0
    cols = ", ".join(c for c in hs.CHANGE_COLUMNS if c != "owner")
    rows = pg.execute(f"SELECT server_seq, {cols} FROM {hs.SCHEMA}.changes WHERE server_seq > %s "
                      "ORDER BY server_seq", (cursor,)).fetchall()
    writes = [write_from_row(r[1:]) for r in rows]
    result.received = len(writes)
    result.merge = merge_writes(store, writes)
    return rows[-1][0] if rows else cursor


def _hub_has(pg) -> dict[str, int]:
    """For each replica, the sequence number up to which the hub holds every change."""
    rows = pg.execute(f"SELECT origin, MAX(seq), COUNT(*) FROM {hs.SCHEMA}.changes GROUP BY origin").fetchall()
    out = {}
    for origin, top, count in rows:
        if top == count:
            out[origin] = top
        else:
            seqs = [r[0] for r in pg.execute(f"SELECT seq FROM {hs.SCHEMA}.changes WHERE origin = %s ORDER BY seq",
                                             (origin,))]
            out[origin] = next((i for i, s in enumerate(seqs) if s != i + 1), len(seqs))
    return out


def _send(store, pg, account: Account, result: SyncResult) -> list[Write]:
    """Send what the hub lacks and this account may send; write the records it touches into the
    hub's tables. Refused own changes are remembered (they stay pending)."""
    have = _hub_has(pg)
    candidates = writes_after(store.connection, have)
    present = _present(pg, candidates)
    me = store.replica_id
    rights = Rights(store, account)
    rights.prefetch(w for w in candidates if w.id not in present)
    accepted, refusals = [], []
    for w in candidates:
        if w.id in present:
            continue
        reason = rights.refusal(w)
        if reason is None:
            accepted.append(w)
        elif w.origin == me:
            result.refused.append((w, reason))
            refusals.append((w.origin, w.seq, "hub", reason))
        else:
            result.not_relayed += 1
    conn = store.connection
    conn.execute('DELETE FROM "sync_refusals" WHERE peer = ?', ("hub",))
    conn.executemany('INSERT INTO "sync_refusals" VALUES (?, ?, ?, ?)', refusals)
    bulk_insert(pg, "changes", hs.CHANGE_COLUMNS,
                [(w.origin, w.seq, w.hlc, " ".join(w.base), w.table, w.uuid, w.operation, w.field, w.old_value,
                  w.new_value, w.payload, w.author, w.changed_at, w.change_set, rights.owner(w)) for w in accepted])
    result.sent = len(accepted)
    own = [w.seq for w in candidates if w.origin == me]
    if own:
        state.mark_sent(store, "hub", max(own))
    sent = present | {w.id for w in accepted}
    unheld = [w for w in candidates if w.id not in sent]
    publish(store, pg, accepted, unheld,
            lambda origin, seq: seq <= have.get(origin, 0) or f"{origin}:{seq}" in sent, rights.owner)
    return accepted


def _present(pg, writes: list[Write]) -> set[str]:
    """Which of these the hub already holds (only possible above a hole in its sequence)."""
    origins = {w.origin for w in writes}
    out: set[str] = set()
    for origin in origins:
        low = min(w.seq for w in writes if w.origin == origin)
        out |= {f"{origin}:{s}" for (s,) in pg.execute(
            f"SELECT seq FROM {hs.SCHEMA}.changes WHERE origin = %s AND seq >= %s", (origin, low))}
    return out


def _remember(store, address: str, account: Account, cursor: int, result: SyncResult) -> None:
    store.connection.execute(
        'INSERT INTO "sync_hubs" (address, account, municipality, cursor, last_sync) VALUES (?, ?, ?, ?, ?) '
        "ON CONFLICT (address) DO UPDATE SET account = excluded.account, municipality = excluded.municipality, "
        "cursor = excluded.cursor, last_sync = excluded.last_sync",
        (address, account.name, account.municipality, cursor, utc_now()))
    state.learn_peer(store.connection, f"hub:{address}", knowledge(store.connection))


__all__ = ["HubError", "SyncResult", "add_account", "init_hub", "sync_with_hub"]
