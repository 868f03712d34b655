"""Synchronisation: bring the edits made in many copies of a project together (no Qt).

- :mod:`changes`  — a history write as exchanged (JSON), checked before anything is applied
- :mod:`rights`   — who may change which records (a municipality's account: its own records)
- :mod:`package`  — ``.rmsync`` change packages for USB sticks and e-mail
- :mod:`hub`      — the PostgreSQL/PostGIS hub: schema, accounts, sync
- :mod:`hub_publish` — the hub's record tables, written in bulk by each sync
- :mod:`review`   — what the window shows: pending changes (revert one), conflicts (decide one)
- :mod:`report`   — the CSV report of what an import or sync did

The merge itself (per-field heads, the one deterministic rule, aliases, natural keys, conflicts)
lives in :mod:`resilience_map.store.merge` and the modules it names, because it writes the
project's tables in the same transaction as the history rows. The window and the command line
reach all of this as session steps: :mod:`resilience_map.session.synchronise`.
"""
