"""A deterministic sample source system: a small retail business in the Postgres schema ``shop``.

Why it exists: demos and end-to-end tests need a realistic source to load into bronze and model
into silver and gold, at any size, and the same size must always give the same bytes so that
results can be compared across runs and machines.

How it stays fast and reproducible:

- Every row is generated server-side by ``INSERT ... SELECT`` over ``generate_series``; Python only
  sends a handful of statements, so scale 350 (10M+ order lines) loads in minutes.
- No ``random()`` and no ``now()``: each pseudo-random choice is an arithmetic hash of the row's id
  and a fixed salt (:func:`_h`), and simulated time is anchored at 2024-01-01 (day 1). Timestamps
  are built by adding seconds to a UTC anchor, so the session time zone changes nothing.
- Ids are dense and computed, never taken from sequences (which skip values after a rollback).
- Primary keys, foreign keys and indexes are created after the bulk insert.

:func:`next_day` advances the simulated clock by one day and applies the changes a real source
sees in a day (updates, inserts, status changes, a few hard deletes), each with ``updated_at``
inside that day, so incremental loads and SCD2 snapshots downstream have something to catch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeAlias

from datakit.errors import ConfigError, UsageError
from datakit.logging import get_logger
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl

try:
    import psycopg
    from psycopg import sql

    from datakit.warehouses.postgres.connection import connect, translate_errors
except ImportError as _exc:  # pragma: no cover - depends on the installed extras
    raise ConfigError(
        "config error: the sample generator needs psycopg (install datakit-sdk[postgres])"
    ) from _exc

ConnOrUrl: TypeAlias = "psycopg.Connection[Any] | str"

SCHEMA = "shop"
TABLES = ("customers", "products", "orders", "order_lines", "payments")
STATE_TABLE = "_sample_state"
SCALE_NAMES: dict[str, float] = {"tiny": 0.01, "small": 1.0, "medium": 10.0, "large": 100.0}
MAX_SCALE = 10_000.0
ANCHOR_DATE = date(2024, 1, 1)
"""The calendar date of simulated day 1; day N is ``ANCHOR_DATE + (N - 1) days``."""
ANCHOR = datetime(2024, 1, 1, tzinfo=UTC)

_PRIME = 2_147_483_647  # 2**31 - 1: every product inside _h stays below 2**63
_DAY_SECONDS = 86_400
_ORDER_HISTORY_DAYS = 366  # loaded orders cover 2023-01-01 .. 2024-01-01 (day 1)
_CUSTOMER_SINCE_DAY = -1461  # loaded customers and products are created from 2020-01-01 ...
_CUSTOMER_SPAN_DAYS = 1095  # ... through 2022-12-31, before the first order


class _Salt:
    """One salt per pseudo-random choice, so that choices are independent of each other."""

    first_name = 1
    last_name = 2
    domain = 3
    city = 4
    segment = 5
    created = 6
    updated = 7
    prospect = 8
    adjective = 10
    noun = 11
    category = 12
    price = 13
    inactive = 14
    product_created = 15
    product_updated = 16
    order_customer = 20
    order_time = 21
    order_returned = 22
    lines_per_order = 30
    line_product = 31
    line_quantity = 32
    line_quantity_tail = 33
    payment_split = 40
    payment_part = 41
    payment_method = 42
    payment_delay = 43
    # Daily changes: salt + _DAILY * day, so every day draws fresh values.
    day_orders = 50
    day_customer_pick = 51
    day_customer_change = 52
    day_customer_value = 53
    day_customer_time = 54
    day_product_pick = 55
    day_product_change = 56
    day_product_time = 57
    day_delete_pick = 58
    day_status_time = 59


_DAILY = 1000

_FIRST_NAMES = [
    "Ava", "Ben", "Chloe", "David", "Elena", "Finn", "Grace", "Hugo", "Ines", "Jonas",
    "Karin", "Liam", "Maya", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sami", "Tara",
    "Umar", "Vera", "Wim", "Xenia", "Yusuf", "Zoe", "Anna", "Marco", "Lena", "Emil",
]  # fmt: skip
_LAST_NAMES = [
    "Adler", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jansen", "Keller", "Lopez", "Moreau", "Nowak", "Olsen", "Petit", "Quint", "Rossi", "Schmidt",
    "Torres", "Urban", "Vogel", "Weber", "Young", "Zimmer", "Berg", "Novak", "Silva", "Meyer",
]  # fmt: skip
_DOMAINS = ["example.com", "example.net", "example.org", "mail.example"]
_CITIES = [
    ("Berlin", "Germany"), ("Hamburg", "Germany"), ("Munich", "Germany"), ("Paris", "France"),
    ("Lyon", "France"), ("Madrid", "Spain"), ("Barcelona", "Spain"), ("Rome", "Italy"),
    ("Milan", "Italy"), ("Amsterdam", "Netherlands"), ("Rotterdam", "Netherlands"),
    ("Vienna", "Austria"), ("Zurich", "Switzerland"), ("London", "United Kingdom"),
    ("Manchester", "United Kingdom"), ("Dublin", "Ireland"), ("Lisbon", "Portugal"),
    ("Warsaw", "Poland"), ("Prague", "Czechia"), ("Copenhagen", "Denmark"), ("Stockholm", "Sweden"),
    ("Oslo", "Norway"), ("Helsinki", "Finland"), ("Brussels", "Belgium"),
]  # fmt: skip
_SEGMENTS = ["consumer", "small_business", "corporate"]
_ADJECTIVES = ["Classic", "Urban", "Alpine", "Everyday", "Premium", "Compact", "Vintage", "Eco",
               "Nordic", "Pro"]  # fmt: skip
# category, five nouns, price range in whole currency units (prices end in .99)
_CATEGORIES = [
    ("Apparel", ["T-Shirt", "Hoodie", "Jacket", "Socks", "Cap"], 9, 89),
    ("Footwear", ["Sneakers", "Boots", "Sandals", "Slippers", "Trail Shoes"], 29, 159),
    ("Outdoor", ["Tent", "Backpack", "Sleeping Bag", "Headlamp", "Water Bottle"], 9, 299),
    ("Kitchen", ["Mug", "Kettle", "Knife Set", "Cutting Board", "Pan"], 7, 129),
    ("Home", ["Lamp", "Cushion", "Blanket", "Vase", "Clock"], 12, 149),
    ("Electronics", ["Headphones", "Charger", "Speaker", "Power Bank", "Cable"], 9, 249),
    ("Books", ["Cookbook", "Novel", "Travel Guide", "Notebook", "Atlas"], 5, 45),
    ("Toys", ["Puzzle", "Board Game", "Kite", "Building Set", "Plush Bear"], 6, 79),
]
_METHODS = ["card", "paypal", "bank_transfer"]


@dataclass(frozen=True)
class SampleSize:
    """Row counts a scale factor gives at load time (order lines are exactly three per order)."""

    customers: int
    products: int
    orders: int

    @property
    def order_lines(self) -> int:
        return 3 * self.orders


def parse_scale(value: str) -> float:
    """Read ``--scale``: a positive number, or tiny (0.01), small (1), medium (10), large (100).

    Raises :class:`~datakit.errors.UsageError` (exit 2, a bad option value) naming ``--scale`` on
    anything else, so a typo never starts a multi-minute load of the wrong size.
    """
    text = value.strip().lower()
    if text in SCALE_NAMES:
        return SCALE_NAMES[text]
    names = ", ".join(f"{name} ({scale:g})" for name, scale in SCALE_NAMES.items())
    try:
        scale = float(text)
    except ValueError:
        raise UsageError(
            f"usage error: --scale {value!r} is not a number (use a positive number or {names})"
        ) from None
    if not math.isfinite(scale) or scale <= 0:
        raise UsageError(f"usage error: --scale {value!r} must be a positive number (or {names})")
    if scale > MAX_SCALE:
        raise UsageError(
            f"usage error: --scale {value!r} is above the maximum {MAX_SCALE:g} "
            "(scale 1 is about 30,000 order lines)"
        )
    return scale


def sample_size(scale: float) -> SampleSize:
    """The load-time row counts for *scale*: 1,000 customers, 10,000 orders per unit of scale."""
    return SampleSize(
        customers=max(1, _round(1_000 * scale)),
        products=max(20, _round(100 * scale)),
        orders=max(1, _round(10_000 * scale)),
    )


def load_sample(conn_or_url: ConnOrUrl, *, scale: float) -> dict[str, int]:
    """(Re)create schema ``shop`` with the sample data for *scale*; return the rows per table.

    Runs in one transaction: readers see the old schema or the new one, never a half-loaded
    one. The same scale always gives byte-identical tables. With a connection that is not in
    autocommit mode and already inside a transaction, committing stays the caller's job.
    """
    if not math.isfinite(scale) or scale <= 0:
        raise ConfigError(f"config error: --scale {scale!r} must be a positive number")
    size = sample_size(scale)
    started = time.monotonic()
    get_logger().info(
        "sample_load_started", schema=SCHEMA, scale=scale, order_lines=size.order_lines
    )
    rows: dict[str, int] = {}
    with _session(conn_or_url) as conn, _translated("load the sample"), conn.transaction():
        _tune_session(conn)
        conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        for statement in _CREATE_TABLES:
            conn.execute(_q(statement))

        history = sql.SQL("(g.o - 1) * {days} / {n} - {last}").format(
            days=sql.Literal(_ORDER_HISTORY_DAYS),
            n=sql.Literal(size.orders),
            last=sql.Literal(_ORDER_HISTORY_DAYS - 1),
        )
        before_anchor = sql.SQL("s.created_s + {h} % (-s.created_s)").format(
            h=_h(sql.SQL("s.i"), _Salt.updated)
        )
        steps: list[tuple[str, Callable[[], int]]] = [
            ("customers", partial(
                _insert_customers, conn, first=1, last=size.customers,
                created_s=_spread_created(size.customers), updated_s=before_anchor,
            )),
            ("products", partial(_insert_products, conn, count=size.products)),
            ("orders", partial(
                _insert_orders, conn, first=1, last=size.orders, day_offset=history, today=0
            )),
            ("order_lines", partial(
                _insert_order_lines, conn, first=1, last=size.orders, line_base=0
            )),
            ("payments", partial(_insert_payments, conn, first=1, line_base=0, payment_base=0)),
        ]  # fmt: skip
        for table, step in steps:
            table_started = time.monotonic()
            rows[table] = step()
            # Fresh statistics let the next step's joins be planned for the real row counts.
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(SCHEMA, table)))
            seconds = round(time.monotonic() - table_started, 3)
            get_logger().info("sample_table_loaded", table=table, rows=rows[table], seconds=seconds)

        index_started = time.monotonic()
        for statement in _CONSTRAINTS:
            conn.execute(_q(statement))
        conn.execute(_q("CREATE TABLE {state} (day integer NOT NULL, scale numeric NOT NULL)"))
        conn.execute(_q("INSERT INTO {state} (day, scale) VALUES (1, %s)"), [_decimal(scale)])
        conn.execute(_q("ANALYZE {state}"))
        get_logger().info(
            "sample_indexes_built", seconds=round(time.monotonic() - index_started, 3)
        )
    get_logger().info(
        "sample_loaded",
        schema=SCHEMA,
        scale=scale,
        rows=sum(rows.values()),
        seconds=round(time.monotonic() - started, 3),
    )
    return rows


def next_day(conn_or_url: ConnOrUrl) -> dict[str, dict[str, int]]:
    """Advance the simulated day by one and apply that day's changes; return counts per table.

    The changes are a pure function of the loaded scale and the day number, so the same history
    of ``load`` and ``next_day`` calls always ends in the same bytes. Every touched row gets an
    ``updated_at`` inside the new day. Hard deletes only remove customers without orders, and
    customer ids are never reused, so a downstream SCD2 snapshot can close them for good.
    Raises :class:`~datakit.errors.ConfigError` when ``shop`` was never loaded.
    """
    started = time.monotonic()
    changes = {table: {"inserted": 0, "updated": 0, "deleted": 0} for table in TABLES}
    with _session(conn_or_url) as conn, _translated("advance the sample day"), conn.transaction():
        day, scale = _read_state(conn, lock=True)
        _tune_session(conn)
        day += 1
        day_start = ANCHOR + timedelta(days=day - 1)
        day_date = ANCHOR_DATE + timedelta(days=day - 1)
        size = sample_size(scale)

        changes["products"]["updated"] = _change_prices(
            conn, day=day, day_start=day_start, count=max(2, _round(0.02 * size.products))
        )
        existing = _scalar(conn, _q("SELECT count(*) FROM {customers}"))
        changes["customers"]["updated"] = _change_customers(
            conn, day=day, day_start=day_start, count=max(1, _round(0.01 * existing))
        )
        first = _scalar(conn, _q("SELECT coalesce(max(customer_id), 0) + 1 FROM {customers}"))
        new_customers = max(2, _round(3 * scale))
        day_seconds = sql.SQL("{base} + {h} % 7200").format(
            base=sql.Literal((day - 1) * _DAY_SECONDS), h=_h(sql.SQL("g.i"), _Salt.created)
        )
        changes["customers"]["inserted"] = _insert_customers(
            conn,
            first=first,
            last=first + new_customers - 1,
            created_s=day_seconds,
            updated_s=sql.SQL("s.created_s"),
        )
        changes["customers"]["deleted"] = _delete_customers(
            conn, day=day, day_start=day_start, count=max(2, _round(scale))
        )
        changes["orders"]["updated"] = _advance_statuses(
            conn, day=day, day_start=day_start, day_date=day_date
        )

        first_order = _scalar(conn, _q("SELECT coalesce(max(order_id), 0) + 1 FROM {orders}"))
        line_base = _scalar(conn, _q("SELECT coalesce(max(order_line_id), 0) FROM {order_lines}"))
        payment_base = _scalar(conn, _q("SELECT coalesce(max(payment_id), 0) FROM {payments}"))
        per_day = size.orders / (_ORDER_HISTORY_DAYS - 1)
        wobble = 80 + _py_hash(day, _Salt.day_orders) % 41  # 80% .. 120% of an average day
        last_order = first_order + max(3, _round(per_day * wobble / 100)) - 1
        changes["orders"]["inserted"] = _insert_orders(
            conn,
            first=first_order,
            last=last_order,
            day_offset=sql.Literal(day - 1),
            today=day - 1,
        )
        changes["order_lines"]["inserted"] = _insert_order_lines(
            conn, first=first_order, last=last_order, line_base=line_base
        )
        changes["payments"]["inserted"] = _insert_payments(
            conn, first=first_order, line_base=line_base, payment_base=payment_base
        )
        conn.execute(_q("UPDATE {state} SET day = %s"), [day])
    get_logger().info(
        "sample_day_advanced",
        schema=SCHEMA,
        day=day,
        date=day_date.isoformat(),
        changes=changes,
        seconds=round(time.monotonic() - started, 3),
    )
    return changes


def current_day(conn_or_url: ConnOrUrl) -> int:
    """The simulated day the sample is at (1 right after a load); ConfigError if never loaded."""
    with _session(conn_or_url) as conn, _translated("read the sample state"):
        return _read_state(conn, lock=False)[0]


def table_counts(conn_or_url: ConnOrUrl) -> dict[str, int]:
    """Exact row counts of the sample tables, for summaries and checks after a load."""
    with _session(conn_or_url) as conn, _translated("count the sample rows"):
        _read_state(conn, lock=False)
        return {
            table: _scalar(
                conn, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(SCHEMA, table))
            )
            for table in TABLES
        }


# --- SQL building blocks ---------------------------------------------------------------------

_IDS = {
    "customers": sql.Identifier(SCHEMA, "customers"),
    "products": sql.Identifier(SCHEMA, "products"),
    "orders": sql.Identifier(SCHEMA, "orders"),
    "order_lines": sql.Identifier(SCHEMA, "order_lines"),
    "payments": sql.Identifier(SCHEMA, "payments"),
    "state": sql.Identifier(SCHEMA, STATE_TABLE),
    "anchor": sql.Literal(ANCHOR),
    "anchor_date": sql.Literal(ANCHOR_DATE),
}


def _q(template: str, **parts: sql.Composable) -> sql.Composed:
    """Compose a constant SQL template with the shop's table names and the given fragments."""
    return sql.SQL(template).format(**_IDS, **parts)


def _h(value: sql.Composable, salt: int) -> sql.Composed:
    """A pseudo-random bigint in ``[0, 2**31 - 1)`` from an integer SQL expression and a salt.

    An affine step then a squaring modulo the prime 2**31 - 1: cheap, inlined arithmetic (no
    function call per row) whose residues are close to uniform. :func:`_py_hash` is the same.
    """
    x = sql.SQL("((({v})::bigint * 48271 + {c}) % 2147483647)").format(
        v=value, c=sql.Literal((salt * 1_000_003 + 12_345) % _PRIME)
    )
    return sql.SQL("(({x} * {x} + {d}) % 2147483647)").format(
        x=x, d=sql.Literal(salt * 7919 % _PRIME)
    )


def _py_hash(value: int, salt: int) -> int:
    x = (value * 48271 + (salt * 1_000_003 + 12_345) % _PRIME) % _PRIME
    return (x * x + salt * 7919 % _PRIME) % _PRIME


def _texts(values: list[str]) -> sql.Composed:
    return sql.SQL("{}::text[]").format(sql.Literal(values))


def _ints(values: list[int]) -> sql.Composed:
    return sql.SQL("{}::int[]").format(sql.Literal(values))


def _not_prospect(column: str) -> sql.Composed:
    """About 5% of customers are prospects who never order: the pool for hard deletes."""
    return sql.SQL("({c} = 1 OR {h} % 20 <> 0)").format(
        c=sql.SQL(column), h=_h(sql.SQL(column), _Salt.prospect)
    )


def _spread_created(count: int, salt: int = _Salt.created) -> sql.Composed:
    """Seconds from the anchor: creation dates spread over 2020-2022 in id order."""
    return sql.SQL("({since} + (g.i - 1) * {span} / {n}) * 86400 + {h} % 86400").format(
        since=sql.Literal(_CUSTOMER_SINCE_DAY),
        span=sql.Literal(_CUSTOMER_SPAN_DAYS),
        n=sql.Literal(count),
        h=_h(sql.SQL("g.i"), salt),
    )


_CREATE_TABLES = [
    """CREATE TABLE {customers} (
        customer_id bigint NOT NULL, name text NOT NULL, email text NOT NULL,
        city text NOT NULL, country text NOT NULL, segment text NOT NULL,
        created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
    """CREATE TABLE {products} (
        product_id bigint NOT NULL, sku text NOT NULL, name text NOT NULL, category text NOT NULL,
        unit_price numeric(12, 2) NOT NULL, active boolean NOT NULL,
        created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
    """CREATE TABLE {orders} (
        order_id bigint NOT NULL, customer_id bigint NOT NULL, order_date date NOT NULL,
        status text NOT NULL, ordered_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
    """CREATE TABLE {order_lines} (
        order_line_id bigint NOT NULL, order_id bigint NOT NULL, product_id bigint NOT NULL,
        quantity integer NOT NULL, unit_price numeric(12, 2) NOT NULL,
        amount numeric(14, 2) NOT NULL, updated_at timestamptz NOT NULL)""",
    """CREATE TABLE {payments} (
        payment_id bigint NOT NULL, order_id bigint NOT NULL, method text NOT NULL,
        amount numeric(14, 2) NOT NULL, paid_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL)""",
]

# After the bulk insert: building an index once is far cheaper than maintaining it row by row.
_CONSTRAINTS = [
    "ALTER TABLE {customers} ADD PRIMARY KEY (customer_id)",
    "ALTER TABLE {products} ADD PRIMARY KEY (product_id), ADD UNIQUE (sku),"
    " ADD CHECK (unit_price > 0)",
    "ALTER TABLE {orders} ADD PRIMARY KEY (order_id)",
    "ALTER TABLE {order_lines} ADD PRIMARY KEY (order_line_id), ADD CHECK (quantity > 0),"
    " ADD CHECK (amount = quantity * unit_price)",
    "ALTER TABLE {payments} ADD PRIMARY KEY (payment_id), ADD CHECK (amount > 0)",
    "ALTER TABLE {orders} ADD FOREIGN KEY (customer_id) REFERENCES {customers}",
    "ALTER TABLE {order_lines} ADD FOREIGN KEY (order_id) REFERENCES {orders},"
    " ADD FOREIGN KEY (product_id) REFERENCES {products}",
    "ALTER TABLE {payments} ADD FOREIGN KEY (order_id) REFERENCES {orders}",
    "CREATE INDEX ON {customers} (updated_at)",
    "CREATE INDEX ON {products} (updated_at)",
    "CREATE INDEX ON {orders} (updated_at)",
    "CREATE INDEX ON {orders} (customer_id)",
    "CREATE INDEX ON {order_lines} (updated_at)",
    "CREATE INDEX ON {order_lines} (order_id)",
    "CREATE INDEX ON {payments} (updated_at)",
    "CREATE INDEX ON {payments} (order_id)",
]


def _insert_customers(
    conn: psycopg.Connection[Any],
    *,
    first: int,
    last: int,
    created_s: sql.Composable,
    updated_s: sql.Composable,
) -> int:
    """Customers ``first..last``; times are seconds from the anchor (*created_s* uses ``g.i``)."""
    query = _q(
        """
        INSERT INTO {customers}
            (customer_id, name, email, city, country, segment, created_at, updated_at)
        SELECT s.i,
               s.first_name || ' ' || s.last_name,
               lower(s.first_name || '.' || s.last_name) || '.' || s.i || '@' || s.domain,
               ({cities})[s.k],
               ({countries})[s.k],
               ({segments})[s.seg],
               {anchor} + s.created_s * interval '1 second',
               {anchor} + ({updated_s}) * interval '1 second'
        FROM (
            SELECT g.i,
                   ({first_names})[1 + {h_first} % {n_first}] AS first_name,
                   ({last_names})[1 + {h_last} % {n_last}] AS last_name,
                   ({domains})[1 + {h_domain} % {n_domains}] AS domain,
                   1 + {h_city} % {n_cities} AS k,
                   CASE WHEN {h_segment} % 10 < 6 THEN 1
                        WHEN {h_segment} % 10 < 9 THEN 2 ELSE 3 END AS seg,
                   ({created_s})::bigint AS created_s
            FROM generate_series({first}::bigint, {last}::bigint) AS g(i)
        ) AS s
        """,
        cities=_texts([city for city, _ in _CITIES]),
        countries=_texts([country for _, country in _CITIES]),
        segments=_texts(_SEGMENTS),
        first_names=_texts(_FIRST_NAMES),
        last_names=_texts(_LAST_NAMES),
        domains=_texts(_DOMAINS),
        n_first=sql.Literal(len(_FIRST_NAMES)),
        n_last=sql.Literal(len(_LAST_NAMES)),
        n_domains=sql.Literal(len(_DOMAINS)),
        n_cities=sql.Literal(len(_CITIES)),
        h_first=_h(sql.SQL("g.i"), _Salt.first_name),
        h_last=_h(sql.SQL("g.i"), _Salt.last_name),
        h_domain=_h(sql.SQL("g.i"), _Salt.domain),
        h_city=_h(sql.SQL("g.i"), _Salt.city),
        h_segment=_h(sql.SQL("g.i"), _Salt.segment),
        created_s=created_s,
        updated_s=updated_s,
        first=sql.Literal(first),
        last=sql.Literal(last),
    )
    return conn.execute(query).rowcount


def _insert_products(conn: psycopg.Connection[Any], *, count: int) -> int:
    nouns = [noun for _, category_nouns, _, _ in _CATEGORIES for noun in category_nouns]
    query = _q(
        """
        INSERT INTO {products}
            (product_id, sku, name, category, unit_price, active, created_at, updated_at)
        SELECT s.i,
               'SKU-' || lpad(s.i::text, greatest(6, length(s.i::text)), '0'),
               ({adjectives})[1 + {h_adjective} % {n_adjectives}]
                   || ' ' || ({nouns})[1 + s.k * 5 + {h_noun} % 5],
               ({categories})[1 + s.k],
               (((({low})[1 + s.k] + {h_price} % (({high})[1 + s.k] - ({low})[1 + s.k] + 1))
                   * 100 + 99)::numeric / 100),
               s.i = 1 OR {h_inactive} % 20 <> 0,
               {anchor} + s.created_s * interval '1 second',
               {anchor} + (s.created_s + {h_updated} % (-s.created_s)) * interval '1 second'
        FROM (
            SELECT g.i, {h_category} % {n_categories} AS k, ({created_s})::bigint AS created_s
            FROM generate_series(1::bigint, {count}::bigint) AS g(i)
        ) AS s
        """,
        adjectives=_texts(_ADJECTIVES),
        nouns=_texts(nouns),
        categories=_texts([name for name, _, _, _ in _CATEGORIES]),
        low=_ints([low for _, _, low, _ in _CATEGORIES]),
        high=_ints([high for _, _, _, high in _CATEGORIES]),
        n_adjectives=sql.Literal(len(_ADJECTIVES)),
        n_categories=sql.Literal(len(_CATEGORIES)),
        h_adjective=_h(sql.SQL("s.i"), _Salt.adjective),
        h_noun=_h(sql.SQL("s.i"), _Salt.noun),
        h_price=_h(sql.SQL("s.i"), _Salt.price),
        h_inactive=_h(sql.SQL("s.i"), _Salt.inactive),
        h_updated=_h(sql.SQL("s.i"), _Salt.product_updated),
        h_category=_h(sql.SQL("g.i"), _Salt.category),
        created_s=_spread_created(count, _Salt.product_created),
        count=sql.Literal(count),
    )
    return conn.execute(query).rowcount


def _insert_orders(
    conn: psycopg.Connection[Any], *, first: int, last: int, day_offset: sql.Composable, today: int
) -> int:
    """Orders ``first..last`` on day *day_offset* (days after day 1, SQL over ``g.o``).

    The status follows the order's age on day *today*, as the daily status changes would have
    left it: placed on its day, shipped for three days, then delivered (2% returned later).
    Customers are drawn among the non-prospects present now.
    """
    query = _q(
        """
        WITH pool AS (
            SELECT array_agg(c.customer_id ORDER BY c.customer_id) AS ids
            FROM {customers} AS c
            WHERE {not_prospect}
        )
        INSERT INTO {orders} (order_id, customer_id, order_date, status, ordered_at, updated_at)
        SELECT y.o, y.customer_id, {anchor_date} + y.day_offset,
               CASE WHEN y.age = 0 THEN 'placed' WHEN y.age <= 3 THEN 'shipped'
                    WHEN y.age >= 14 AND y.returned THEN 'returned' ELSE 'delivered' END,
               {anchor} + y.ordered_s * interval '1 second',
               {anchor} + (y.ordered_s + 86400 * CASE
                    WHEN y.age = 0 THEN 0 WHEN y.age <= 3 THEN 1
                    WHEN y.age >= 14 AND y.returned THEN 10 ELSE 3 END) * interval '1 second'
        FROM (
            SELECT x.o, x.day_offset, {today} - x.day_offset AS age, x.returned,
                   x.day_offset::bigint * 86400 + 7200 + x.h_time % 75600 AS ordered_s,
                   (SELECT ids FROM pool)[1 + x.h_customer % (SELECT cardinality(ids) FROM pool)]
                       AS customer_id
            FROM (
                SELECT g.o, ({day_offset})::int AS day_offset, {h_time} AS h_time,
                       {h_customer} AS h_customer, {h_returned} % 50 = 0 AS returned
                FROM generate_series({first}::bigint, {last}::bigint) AS g(o)
                OFFSET 0  -- a planning fence: each hash is computed once per row, not per use
            ) AS x
        ) AS y
        WHERE y.customer_id IS NOT NULL
        """,
        not_prospect=_not_prospect("c.customer_id"),
        day_offset=day_offset,
        today=sql.Literal(today),
        h_time=_h(sql.SQL("g.o"), _Salt.order_time),
        h_customer=_h(sql.SQL("g.o"), _Salt.order_customer),
        h_returned=_h(sql.SQL("g.o"), _Salt.order_returned),
        first=sql.Literal(first),
        last=sql.Literal(last),
    )
    return conn.execute(query).rowcount


def _insert_order_lines(
    conn: psycopg.Connection[Any], *, first: int, last: int, line_base: int
) -> int:
    """Lines of orders ``first..last``, with ids ``line_base + 1 ..`` and 1-5 lines per order.

    Order ``o`` owns ids ``(start(o), start(o + 1)]`` with ``start(o) = 3 (o - first) + d(o)``,
    ``d`` a hash in 0..2 that is 0 at both ends of the batch: ids stay dense, the batch has
    exactly three lines per order, and no window or sort is needed. Prices are the active
    products' current prices, looked up in an array (no join); amounts are computed in cents so
    that ``amount = quantity * unit_price`` holds exactly.
    """
    query = _q(
        """
        WITH pool AS (
            SELECT array_agg(p.product_id ORDER BY p.product_id) AS ids,
                   array_agg((p.unit_price * 100)::bigint ORDER BY p.product_id) AS cents
            FROM {products} AS p
            WHERE p.active
        )
        INSERT INTO {order_lines}
            (order_line_id, order_id, product_id, quantity, unit_price, amount, updated_at)
        SELECT m.line_id, m.order_id, (SELECT ids FROM pool)[m.k], m.quantity,
               ((SELECT cents FROM pool)[m.k] * 0.01)::numeric(12, 2),
               (m.quantity * (SELECT cents FROM pool)[m.k] * 0.01)::numeric(14, 2),
               m.ordered_at
        FROM (
            SELECT q.line_id, q.order_id, q.ordered_at,
                   1 + q.h_product % (SELECT cardinality(ids) FROM pool) AS k,
                   CASE WHEN q.h_quantity % 100 < 50 THEN 1 WHEN q.h_quantity % 100 < 75 THEN 2
                        WHEN q.h_quantity % 100 < 88 THEN 3 ELSE 4 + q.h_tail % 3 END AS quantity
            FROM (
                SELECT s.line_from + n.k AS line_id, s.order_id, s.ordered_at,
                       {h_quantity} AS h_quantity, {h_tail} AS h_tail, {h_product} AS h_product
                FROM (
                    SELECT o.order_id, o.ordered_at,
                           {base} + 3 * (o.order_id - {first})
                               + CASE WHEN o.order_id = {first} THEN 0 ELSE {h_this} % 3 END
                               AS line_from,
                           {base} + 3 * (o.order_id + 1 - {first})
                               + CASE WHEN o.order_id = {last} THEN 0 ELSE {h_next} % 3 END
                               AS line_to
                    FROM {orders} AS o
                    WHERE o.order_id BETWEEN {first} AND {last}
                    OFFSET 0
                ) AS s
                CROSS JOIN LATERAL generate_series(1, s.line_to - s.line_from) AS n(k)
                OFFSET 0  -- a planning fence: each hash is computed once per row, not per use
            ) AS q
        ) AS m
        WHERE m.k IS NOT NULL
        """,
        base=sql.Literal(line_base),
        first=sql.Literal(first),
        last=sql.Literal(last),
        h_this=_h(sql.SQL("o.order_id"), _Salt.lines_per_order),
        h_next=_h(sql.SQL("o.order_id + 1"), _Salt.lines_per_order),
        h_quantity=_h(sql.SQL("s.line_from + n.k"), _Salt.line_quantity),
        h_tail=_h(sql.SQL("s.line_from + n.k"), _Salt.line_quantity_tail),
        h_product=_h(sql.SQL("s.line_from + n.k"), _Salt.line_product),
    )
    return conn.execute(query).rowcount


def _insert_payments(
    conn: psycopg.Connection[Any], *, first: int, line_base: int, payment_base: int
) -> int:
    """Payments for orders from *first* with lines above *line_base*; ids dense from *payment_base*.

    One order in each block of ten (at a hashed position) pays in two parts, so the number of
    payments before an order is arithmetic and no window or sort is needed. Amounts are summed in
    integer cents from the stored lines, and the second part is the total minus the first, so
    the payments of an order add up exactly to its lines.
    """
    query = _q(
        """
        INSERT INTO {payments} (payment_id, order_id, method, amount, paid_at, updated_at)
        SELECT {base} + x.before + v.part, x.order_id,
               CASE WHEN NOT x.split THEN x.method WHEN v.part = 1 THEN 'gift_card'
                    ELSE 'card' END,
               (CASE WHEN NOT x.split THEN x.cents WHEN v.part = 1 THEN x.first_cents
                     ELSE x.cents - x.first_cents END * 0.01)::numeric(14, 2),
               x.ordered_at + (x.delay_s + 120 * (v.part - 1)) * interval '1 second',
               x.ordered_at + (x.delay_s + 120 * (v.part - 1)) * interval '1 second'
        FROM (
            SELECT y.order_id, y.cents, y.ordered_at, y.pos = y.split_pos AS split,
                   y.j + y.j / 10 + CASE WHEN y.pos > y.split_pos THEN 1 ELSE 0 END AS before,
                   y.cents * (20 + y.h_part % 61) / 100 AS first_cents,
                   CASE WHEN y.h_method % 20 < 12 THEN {card}
                        WHEN y.h_method % 20 < 17 THEN {paypal} ELSE {bank} END AS method,
                   60 + y.h_delay % 600 AS delay_s
            FROM (
                SELECT t.order_id, t.cents, t.ordered_at, t.order_id - {first} AS j,
                       (t.order_id - {first}) % 10 AS pos,
                       {h_split} % 10 AS split_pos,
                       {h_part} AS h_part, {h_method} AS h_method, {h_delay} AS h_delay
                FROM (
                    SELECT l.order_id, sum((l.amount * 100)::bigint)::bigint AS cents,
                           max(l.updated_at) AS ordered_at
                    FROM {order_lines} AS l
                    WHERE l.order_line_id > {line_base}
                    GROUP BY l.order_id
                ) AS t
                OFFSET 0  -- a planning fence: each hash is computed once per row, not per use
            ) AS y
        ) AS x
        JOIN generate_series(1, 2) AS v(part) ON v.part = 1 OR x.split
        """,
        base=sql.Literal(payment_base),
        first=sql.Literal(first),
        line_base=sql.Literal(line_base),
        card=sql.Literal(_METHODS[0]),
        paypal=sql.Literal(_METHODS[1]),
        bank=sql.Literal(_METHODS[2]),
        h_split=_h(
            sql.SQL("t.order_id - (t.order_id - {}) % 10").format(sql.Literal(first)),
            _Salt.payment_split,
        ),
        h_part=_h(sql.SQL("t.order_id"), _Salt.payment_part),
        h_method=_h(sql.SQL("t.order_id"), _Salt.payment_method),
        h_delay=_h(sql.SQL("t.order_id"), _Salt.payment_delay),
    )
    return conn.execute(query).rowcount


def _change_prices(
    conn: psycopg.Connection[Any], *, day: int, day_start: datetime, count: int
) -> int:
    """Reprice *count* active products by -10%..+10% (never 0%)."""
    query = _q(
        """
        UPDATE {products} AS p
        SET unit_price = greatest(0.99, round(p.unit_price * (100 + pick.pct) / 100, 2)),
            updated_at = {day_start} + pick.secs * interval '1 second'
        FROM (
            SELECT q.product_id,
                   CASE WHEN {h_change} % 20 < 10 THEN {h_change} % 20 - 10
                        ELSE {h_change} % 20 - 9 END AS pct,
                   {h_time} % 86400 AS secs
            FROM {products} AS q
            WHERE q.active
            ORDER BY {h_pick}, q.product_id
            LIMIT {count}
        ) AS pick
        WHERE p.product_id = pick.product_id
        """,
        day_start=sql.Literal(day_start),
        count=sql.Literal(count),
        h_pick=_h(sql.SQL("q.product_id"), _Salt.day_product_pick + _DAILY * day),
        h_change=_h(sql.SQL("q.product_id"), _Salt.day_product_change + _DAILY * day),
        h_time=_h(sql.SQL("q.product_id"), _Salt.day_product_time + _DAILY * day),
    )
    return conn.execute(query).rowcount


def _change_customers(
    conn: psycopg.Connection[Any], *, day: int, day_start: datetime, count: int
) -> int:
    """Update *count* existing customers: a move (city, country), a new email, or a new segment.

    Each change always differs from the old value, so a downstream diff sees it.
    """
    query = _q(
        """
        UPDATE {customers} AS c
        SET city = CASE WHEN pick.kind = 0 THEN ({cities})[pick.k] ELSE c.city END,
            country = CASE WHEN pick.kind = 0 THEN ({countries})[pick.k] ELSE c.country END,
            email = CASE WHEN pick.kind = 1
                         THEN lower(replace(c.name, ' ', '.')) || '.' || c.customer_id
                              || '.' || {day} || '@' || ({domains})[1 + pick.v % {n_domains}]
                         ELSE c.email END,
            segment = CASE WHEN pick.kind = 2
                           THEN ({segments})[1 + coalesce(array_position({segments}, c.segment),
                                                          1) % {n_segments}]
                           ELSE c.segment END,
            updated_at = {day_start} + pick.secs * interval '1 second'
        FROM (
            SELECT q.customer_id, q.kind, q.v, q.secs,
                   1 + (coalesce(array_position({cities}, q.city), 1) + q.v % ({n_cities} - 1))
                       % {n_cities} AS k
            FROM (
                SELECT r.customer_id, r.city, {h_change} % 3 AS kind, {h_value} AS v,
                       {h_time} % 86400 AS secs
                FROM {customers} AS r
                WHERE r.created_at < {day_start}
                ORDER BY {h_pick}, r.customer_id
                LIMIT {count}
            ) AS q
        ) AS pick
        WHERE c.customer_id = pick.customer_id
        """,
        cities=_texts([city for city, _ in _CITIES]),
        countries=_texts([country for _, country in _CITIES]),
        domains=_texts(_DOMAINS),
        segments=_texts(_SEGMENTS),
        n_cities=sql.Literal(len(_CITIES)),
        n_domains=sql.Literal(len(_DOMAINS)),
        n_segments=sql.Literal(len(_SEGMENTS)),
        day=sql.Literal(day),
        day_start=sql.Literal(day_start),
        count=sql.Literal(count),
        h_pick=_h(sql.SQL("r.customer_id"), _Salt.day_customer_pick + _DAILY * day),
        h_change=_h(sql.SQL("r.customer_id"), _Salt.day_customer_change + _DAILY * day),
        h_value=_h(sql.SQL("r.customer_id"), _Salt.day_customer_value + _DAILY * day),
        h_time=_h(sql.SQL("r.customer_id"), _Salt.day_customer_time + _DAILY * day),
    )
    return conn.execute(query).rowcount


def _delete_customers(
    conn: psycopg.Connection[Any], *, day: int, day_start: datetime, count: int
) -> int:
    """Hard-delete up to *count* customers created before today who have no orders.

    The customer with the highest id is never deleted, so ``max(customer_id) + 1`` never hands a
    deleted id to a new customer.
    """
    query = _q(
        """
        DELETE FROM {customers} AS c
        USING (
            SELECT r.customer_id
            FROM {customers} AS r
            WHERE r.created_at < {day_start}
              AND r.customer_id < (SELECT max(customer_id) FROM {customers})
              AND NOT EXISTS (SELECT 1 FROM {orders} AS o WHERE o.customer_id = r.customer_id)
            ORDER BY {h_pick}, r.customer_id
            LIMIT {count}
        ) AS pick
        WHERE c.customer_id = pick.customer_id
        """,
        day_start=sql.Literal(day_start),
        count=sql.Literal(count),
        h_pick=_h(sql.SQL("r.customer_id"), _Salt.day_delete_pick + _DAILY * day),
    )
    return conn.execute(query).rowcount


def _advance_statuses(
    conn: psycopg.Connection[Any], *, day: int, day_start: datetime, day_date: date
) -> int:
    """Ship yesterday's placed orders and deliver orders shipped for three days."""
    query = _q(
        """
        UPDATE {orders} AS o
        SET status = CASE o.status WHEN 'placed' THEN 'shipped' ELSE 'delivered' END,
            updated_at = {day_start} + {h_time} % 86400 * interval '1 second'
        WHERE (o.status = 'placed' AND o.order_date < {day_date})
           OR (o.status = 'shipped' AND o.order_date <= {day_date} - 4)
        """,
        day_start=sql.Literal(day_start),
        day_date=sql.Literal(day_date),
        h_time=_h(sql.SQL("o.order_id"), _Salt.day_status_time + _DAILY * day),
    )
    return conn.execute(query).rowcount


# --- connections, state and errors -----------------------------------------------------------


@contextmanager
def _session(conn_or_url: ConnOrUrl) -> Iterator[psycopg.Connection[Any]]:
    """Use the caller's connection as is, or open (and close) one from a URL."""
    if not isinstance(conn_or_url, str):
        yield conn_or_url
        return
    url = DatabaseUrl(secret=Secret(conn_or_url), variable="DATAKIT_SOURCE_URL")
    with connect(url, role="sample source") as conn:
        yield conn


def _translated(action: str) -> AbstractContextManager[None]:
    """psycopg errors become exit codes in the SDK's one place for it, naming what we were doing."""
    return translate_errors(f"sample: {action}")


def _tune_session(conn: psycopg.Connection[Any]) -> None:
    """Settings for this transaction only: room for hash aggregates, and no JIT.

    Each statement runs once over millions of rows of cheap arithmetic; JIT compilation costs
    up to a second per statement and, measured at scale 100, does not pay it back.
    """
    conn.execute("SET LOCAL work_mem = '256MB'")
    conn.execute("SET LOCAL jit = off")


def _read_state(conn: psycopg.Connection[Any], *, lock: bool) -> tuple[int, float]:
    exists = conn.execute(
        "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = %s",
        [SCHEMA, STATE_TABLE],
    ).fetchone()
    row = None
    if exists:
        query = "SELECT day, scale FROM {state}" + (" FOR UPDATE" if lock else "")
        row = conn.execute(_q(query)).fetchone()
    if row is None:
        raise ConfigError(
            f"config error: schema {SCHEMA} has no sample data in this database "
            "(run `datakit sample load --scale S` first)"
        )
    return int(row[0]), float(row[1])


def _scalar(conn: psycopg.Connection[Any], query: sql.Composable) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row is not None else 0


def _round(value: float) -> int:
    """Round half up: Python's round() goes to even, which would make 2.5 and 3.5 differ."""
    return math.floor(value + 0.5)


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


__all__ = [
    "ANCHOR_DATE",
    "MAX_SCALE",
    "SCALE_NAMES",
    "SCHEMA",
    "TABLES",
    "ConnOrUrl",
    "SampleSize",
    "current_day",
    "load_sample",
    "next_day",
    "parse_scale",
    "sample_size",
    "table_counts",
]
