"""Full-text search over product names and descriptions (it/en/zh), per database vendor.

PostgreSQL
    A GIN index on ``to_tsvector('simple', names) (weight A) || to_tsvector('simple',
    descriptions) (weight B)``. The 'simple' configuration neither stems nor drops stop
    words, so one index serves Italian, English and Chinese alike. Chinese (and other CJK)
    text has no spaces, so tsvector keeps a whole run of characters as one token and
    cannot find 意大利 inside 意大利特级初榨橄榄油: tokens with CJK characters are matched
    with ILIKE over the concatenated text instead, helped by a pg_trgm GIN index when the
    extension can be created.

SQLite
    An FTS5 virtual table ``catalog_product_fts`` with the 'trigram' tokenizer, external
    content on ``catalog_product`` and kept in sync by triggers. Trigrams find any
    substring of three characters or more, in any script (意大利, "olio"); tokens shorter
    than three characters fall back to LIKE.

``install()`` creates what the current vendor needs and does nothing on the other one;
it is idempotent. Migration 0003 calls it, and so does a ``post_migrate`` handler
(``CatalogConfig.ready``): that covers test databases built without migrations and
SQLite table rebuilds (Django's SQLite schema editor re-creates a table to alter it,
which drops its triggers; the handler puts them back and rebuilds the index).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "catalog_product_fts"
NAME_COLUMNS = ("name_it", "name_en", "name_zh")
DESCRIPTION_COLUMNS = ("description_it", "description_en", "description_zh")
TEXT_COLUMNS = NAME_COLUMNS + DESCRIPTION_COLUMNS
PG_VECTOR_INDEX = "catalog_product_search_tsv"
PG_TRIGRAM_INDEX = "catalog_product_search_trgm"
MAX_TOKENS = 8

_TOKEN = re.compile(r"[^\W_]+")  # runs of letters and digits, in any script
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _concat(columns: tuple[str, ...], alias: str) -> str:
    prefix = f"{alias}." if alias else ""
    return " || ' ' || ".join(f"{prefix}{c}" for c in columns)


def pg_vector_sql(alias: str = "") -> str:
    """The tsvector expression of the GIN index; queries must repeat it verbatim."""
    return (
        f"(setweight(to_tsvector('simple'::regconfig, {_concat(NAME_COLUMNS, alias)}), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, {_concat(DESCRIPTION_COLUMNS, alias)}), 'B'))"
    )


def text_sql(alias: str = "") -> str:
    """All six text columns in one string (the trigram index and LIKE fallbacks use it)."""
    return f"({_concat(TEXT_COLUMNS, alias)})"


# installation -----------------------------------------------------------------------------

_SQLITE_COLUMNS = ", ".join(TEXT_COLUMNS)
_SQLITE_NEW = ", ".join(f"new.{c}" for c in TEXT_COLUMNS)
_SQLITE_OLD = ", ".join(f"old.{c}" for c in TEXT_COLUMNS)
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON catalog_product BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, {_SQLITE_COLUMNS}) VALUES (new.id, {_SQLITE_NEW}); END"
    ),
    f"{FTS_TABLE}_ad": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON catalog_product BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_SQLITE_COLUMNS}) "
        f"VALUES ('delete', old.id, {_SQLITE_OLD}); END"
    ),
    f"{FTS_TABLE}_au": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON catalog_product BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_SQLITE_COLUMNS}) "
        f"VALUES ('delete', old.id, {_SQLITE_OLD}); "
        f"INSERT INTO {FTS_TABLE}(rowid, {_SQLITE_COLUMNS}) VALUES (new.id, {_SQLITE_NEW}); END"
    ),
}


def _install_sqlite(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            f"{_SQLITE_COLUMNS}, content='catalog_product', content_rowid='id', "
            "tokenize='trigram')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'catalog_product'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in _SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(_SQLITE_TRIGGERS[name])
        if missing:  # new table, or triggers lost in a table rebuild: index what is there
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _install_postgresql(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_VECTOR_INDEX} ON catalog_product "
            f"USING gin ({pg_vector_sql()})"
        )
        try:
            # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create
            # it. Without it, CJK searches still work by ILIKE, only without an index.
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_TRIGRAM_INDEX} ON catalog_product "
            f"USING gin ({text_sql()} gin_trgm_ops)"
        )


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the search structures for this connection's vendor (idempotent).

    Does nothing while the ``catalog_product`` table does not exist (migrated back).
    """
    with connection.cursor() as cursor:
        if "catalog_product" not in connection.introspection.table_names(cursor):
            return
    if connection.vendor == "sqlite":
        _install_sqlite(connection)
    elif connection.vendor == "postgresql":
        _install_postgresql(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_TRIGRAM_INDEX}")
            cursor.execute(f"DROP INDEX IF EXISTS {PG_VECTOR_INDEX}")


# querying -------------------------------------------------------------------------------


def tokens(q: str | None) -> list[str]:
    """The words of a query, lower-cased, at most MAX_TOKENS of them."""
    if not q:
        return []
    return [t.lower() for t in _TOKEN.findall(q)][:MAX_TOKENS]


def without_words(q: str | None) -> bool:
    """True for a query that has text but no word to look for ("!!!", '"', "-- ?"):
    it matches nothing (it is not a blank query, which matches everything)."""
    return bool(q and q.strip()) and not tokens(q)


def _like_pattern(token: str) -> str:
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class TextMatch:
    """SQL fragments that restrict products (alias ``alias``) to those matching a query.

    ``join`` goes after the FROM list, ``where`` is ANDed in, ``score`` is a numeric
    expression where higher means more relevant. Placeholders are %s; the params of
    each fragment are kept apart because fragments land in different clauses.
    """

    join: str = ""
    join_params: list[Any] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    where_params: list[Any] = field(default_factory=list)
    score: str = "0"
    score_params: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.join and not self.where


def text_match(vendor: str, q: str | None, alias: str = "p") -> TextMatch:
    """Fragments for the query ``q`` on ``vendor`` ("sqlite" or "postgresql").

    Every word must match (AND). On PostgreSQL a Latin word matches as a prefix
    ("oli" finds "olio"); on SQLite any word of three or more characters matches as a
    substring. A blank query matches everything; one made only of punctuation matches
    nothing (``without_words``).
    """
    words = tokens(q)
    match = TextMatch()
    if without_words(q):
        match.where.append("1 = 0")
        return match
    if not words:
        return match
    if vendor == "postgresql":
        cjk = [w for w in words if _CJK.search(w)]
        latin = [w for w in words if not _CJK.search(w)]
        for word in cjk:
            match.where.append(f"{text_sql(alias)} ILIKE %s")
            match.where_params.append(_like_pattern(word))
        if latin:
            query = " & ".join(f"'{w}':*" for w in latin)
            match.where.append(f"{pg_vector_sql(alias)} @@ to_tsquery('simple'::regconfig, %s)")
            match.where_params.append(query)
            match.score = f"ts_rank({pg_vector_sql(alias)}, to_tsquery('simple'::regconfig, %s))"
            match.score_params.append(query)
        return match
    # SQLite: trigram FTS5 for words of three characters or more, LIKE for shorter ones
    long_words = [w for w in words if len(w) >= 3]
    for word in words:
        if len(word) < 3:
            match.where.append(f"{text_sql(alias)} LIKE %s ESCAPE '\\'")
            match.where_params.append(_like_pattern(word))
    if long_words:
        phrase = " ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        match.join = (
            f"JOIN (SELECT rowid AS product_id, "
            f"bm25({FTS_TABLE}, 10.0, 10.0, 10.0, 1.0, 1.0, 1.0) AS bm25_score "
            # LIMIT -1 (no limit) keeps SQLite from flattening the subquery into the join,
            # where bm25() could no longer see its full-text cursor.
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT -1) fts "
            f"ON fts.product_id = {alias}.id"
        )
        match.join_params.append(phrase)
        match.score = "(0.0 - fts.bm25_score)"
    return match
