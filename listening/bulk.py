"""Set-based writes the ORM cannot express: multi-row upserts that return rows and
counters that add up. PostgreSQL and SQLite (3.35+) share the syntax used here, so
the pipeline makes one round trip per table per batch on both."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction

# SQLite allows 32,766 bound variables per statement; PostgreSQL 65,535.
MAX_PARAMS = 30_000


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


def _chunks(rows: Sequence[Sequence[Any]], width: int) -> Iterable[Sequence[Sequence[Any]]]:
    size = max(1, MAX_PARAMS // max(width, 1))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: Sequence[str],
    update: Sequence[str] = (),
    increment: Sequence[str] = (),
    coalesce: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple]:
    """INSERT many rows; on a conflict on ``conflict`` columns either do nothing (no
    ``update``/``increment``), overwrite ``update`` columns, keep the stored value where
    the new one is NULL for ``coalesce`` columns, or add to ``increment`` columns.

    Returns ``returning`` columns of the rows inserted, or updated when there is an
    update clause (with DO NOTHING, rows that already existed are not returned).
    """
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    cols = _columns(model, fields)
    q = connection.ops.quote_name
    col_sql = ", ".join(q(c.column) for c in cols)
    conflict_sql = ", ".join(q(c.column) for c in _columns(model, conflict))
    sets = [f"{q(c.column)} = EXCLUDED.{q(c.column)}" for c in _columns(model, update)]
    sets += [
        f"{q(c.column)} = COALESCE(EXCLUDED.{q(c.column)}, {table}.{q(c.column)})"
        for c in _columns(model, coalesce)
    ]
    sets += [
        f"{q(c.column)} = {table}.{q(c.column)} + EXCLUDED.{q(c.column)}"
        for c in _columns(model, increment)
    ]
    action = f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
    ret_sql = ""
    if returning:
        ret_sql = " RETURNING " + ", ".join(q(c.column) for c in _columns(model, returning))
    tail = f" ON CONFLICT ({conflict_sql}) {action}{ret_sql}"
    if connection.vendor == "postgresql":
        return _upsert_unnest(table, cols, col_sql, rows, tail, bool(returning))
    placeholder = "(" + ", ".join(["%s"] * len(cols)) + ")"
    out: list[tuple] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, len(cols)):
            params: list[Any] = []
            for row in chunk:
                params.extend(
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(cols, row, strict=True)
                )
            sql = (
                f"INSERT INTO {table} ({col_sql}) VALUES "
                + ", ".join([placeholder] * len(chunk))
                + tail
            )
            cursor.execute(sql, params)
            if returning:
                out.extend(cursor.fetchall())
    return out


def _upsert_unnest(
    table: str,
    cols: list[models.Field],
    col_sql: str,
    rows: Sequence[Sequence[Any]],
    tail: str,
    returning: bool,
) -> list[tuple]:
    """PostgreSQL: ``COPY`` the rows into a temporary staging table (psycopg formats
    COPY rows in C), then one ``INSERT ... SELECT ... ON CONFLICT`` from it. The staging
    table lives for the session and is emptied at each commit."""
    json_columns = {i for i, f in enumerate(cols) if isinstance(f, models.JSONField)}
    names = ", ".join(f"c{i}" for i in range(len(cols)))
    with transaction.atomic(), connection.cursor() as cursor:
        staging = _staging_table(cursor, table, cols)
        sql = f"INSERT INTO {table} ({col_sql}) SELECT {names} FROM {staging}{tail}"
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            if json_columns:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(v, ensure_ascii=False, default=str)
                            if i in json_columns
                            else v
                            for i, v in enumerate(row)
                        ]
                    )
            else:
                for row in rows:
                    copy.write_row(row)
        cursor.execute(sql)
        out = cursor.fetchall() if returning else []
        # Emptied here too: a caller's outer transaction may upsert the same table again.
        cursor.execute(f"TRUNCATE {staging}")
    return out


def _staging_table(cursor, table: str, cols: list[models.Field]) -> str:
    """A temporary table with one column per upserted field (c0, c1, ...). Created if
    missing on every call: one that was created in a transaction rolled back since is
    gone, so remembering it would be wrong."""
    types = tuple(f.db_type(connection) for f in cols)
    name = "bulk_" + hashlib.sha1(repr((table, types)).encode()).hexdigest()[:16]
    columns = ", ".join(f"c{i} {t}" for i, t in enumerate(types))
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns}) ON COMMIT DELETE ROWS")
    return name
