"""Small bookkeeping of synchronisation: what peers have seen, what was sent, hubs."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from resilience_map.store.schema import META_TABLE

SENT_KEYS = {"exported": "sync_exported_seq", "hub": "sync_hub_seq"}


def peer_knowledge(conn: sqlite3.Connection, peer: str) -> dict[str, int]:
    return {o: s for o, s in conn.execute('SELECT origin, seq FROM "sync_peers" WHERE peer = ?', (peer,))}


def learn_peer(conn: sqlite3.Connection, peer: str, knowledge: Mapping[str, int]) -> None:
    """Remember that ``peer`` has at least ``knowledge`` (inside a store transaction)."""
    conn.executemany(
        'INSERT INTO "sync_peers" VALUES (?, ?, ?) ON CONFLICT (peer, origin) '
        "DO UPDATE SET seq = MAX(seq, excluded.seq)", [(peer, o, int(s)) for o, s in knowledge.items()])


def sent_seq(conn: sqlite3.Connection, channel: str) -> int:
    row = conn.execute(f'SELECT value FROM "{META_TABLE}" WHERE key = ?', (SENT_KEYS[channel],)).fetchone()
    return int(row[0]) if row and row[0] else 0


def mark_sent(store, channel: str, seq: int) -> None:
    """Own changes up to ``seq`` have left this copy (in a package, or offered to a hub)."""
    with store.transaction():
        if seq > sent_seq(store.connection, channel):
            store.connection.execute(f'INSERT OR REPLACE INTO "{META_TABLE}" VALUES (?, ?)',
                                     (SENT_KEYS[channel], str(seq)))


def current_account(conn: sqlite3.Connection):
    """The account this copy last synchronised with a hub as (declared in packages it makes)."""
    from resilience_map.sync.rights import Account

    row = conn.execute('SELECT account, municipality FROM "sync_hubs" WHERE account IS NOT NULL '
                       "ORDER BY last_sync DESC LIMIT 1").fetchone()
    return Account(row[0], row[1]) if row else None


def known_hubs(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(address without password, account) of the hubs this copy synchronised with, latest first."""
    return [(a, acc or "") for a, acc in conn.execute(
        'SELECT address, account FROM "sync_hubs" ORDER BY last_sync DESC')]


def known_peers(conn: sqlite3.Connection, me: str | None) -> list[str]:
    """Replica ids of the copies this one has received packages from (what ``--for`` accepts)."""
    return [p for (p,) in conn.execute('SELECT DISTINCT peer FROM "sync_peers" ORDER BY peer')
            if p != me and not p.startswith("hub:")]
