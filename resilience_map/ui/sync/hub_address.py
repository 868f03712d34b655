"""The hub's address and account as typed in the Synchronise dialog → a libpq connection string.

People type "hub.example.org/resilience", "10.0.0.5:5433/resilience" or a full
``postgresql://`` URL; the account goes in its own field. The password is added only to the
string used for the one connection of this sync: it is never stored — not in the project
(which keeps the address without it), not in the preferences. Left empty, libpq finds it
the usual way (``PGPASSWORD``, the password file ``~/.pgpass`` / ``PGPASSFILE``).
"""

from __future__ import annotations

from resilience_map.sync.hub import HubError


def hub_conninfo(address: str, account: str, password: str = "") -> str:
    """A libpq connection string; raises HubError with one sentence for an unusable address."""
    import psycopg
    import psycopg.conninfo

    text = address.strip()
    if not text:
        raise HubError("Type the hub's address, for example hub.example.org/resilience.")
    try:
        params = psycopg.conninfo.conninfo_to_dict(text) if "://" in text or "=" in text else _short(text)
    except psycopg.Error as exc:
        raise HubError(f"“{text}” is not a hub address ({_first_line(exc)}); type host/database, "
                       "for example hub.example.org/resilience.") from None
    if account.strip():
        params["user"] = account.strip()
    params.pop("password", None)
    if password:
        params["password"] = password
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


def shown_address(stored: str) -> str:
    """A stored hub address (``postgresql://user@host:port/db``) as the dialog shows it: host:port/db."""
    import psycopg
    import psycopg.conninfo

    try:
        params = psycopg.conninfo.conninfo_to_dict(stored)
    except psycopg.Error:
        return stored
    host, port, dbname = params.get("host", ""), params.get("port", ""), params.get("dbname", "")
    return f"{host}{f':{port}' if port else ''}/{dbname}"


def _short(text: str) -> dict[str, object]:
    """"host[:port][/database]"."""
    hostport, _, dbname = text.partition("/")
    host, colon, port = hostport.rpartition(":")
    if not colon:
        host, port = hostport, ""
    if port and not port.isdigit():
        raise HubError(f"The port in “{text}” is not a number; type host:port/database.")
    params: dict[str, object] = {"host": host}
    if port:
        params["port"] = port
    if dbname:
        params["dbname"] = dbname
    return params


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
