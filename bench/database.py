"""What the benchmarks share about their PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable


def ensure_database(log: Callable[[str], None] = print) -> None:
    """Create the PostgreSQL database of DATABASE_URL if it does not exist yet (Django set up already)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
              "host": db.get("HOST") or None, "port": db.get("PORT") or None}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            log(f"creating the database {db['NAME']}")
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
