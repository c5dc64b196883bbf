"""Full-text search over product names and descriptions (it/en/zh), the same on both
database vendors.

The search document
    Each product carries two normalized texts, ``search_names`` (its it/en/zh names) and
    ``search_descriptions`` (its descriptions), and each category ``search_names``:
    ``SearchDocumentField`` computes them from the source fields whenever the row is
    saved or bulk-created (``Field.pre_save``, which ``bulk_create`` calls too, so the
    demo's bulk load is indexed). ``normalize`` folds case and accents (NFKD without the
    combining marks, then ``casefold``; "Caffè" and "CAFFE" are both ``caffe``, fullwidth
    letters are ASCII); words are runs of letters and digits; a run of Chinese, Japanese
    or Korean characters, which has no spaces between words, becomes its overlapping
    two-character pieces and its single characters (红葡萄酒 -> 红葡 葡萄 萄酒 红 葡 萄 酒),
    so that any word of one or two characters or more inside it is found. A few
    everyday words are added beside the wording a catalog uses (``SYNONYMS``: 红酒 for
    红葡萄酒). Queries go through the same steps (``query_terms``).

    Writes that bypass the model (``QuerySet.update`` of a name, raw SQL) must call
    ``reindex``; ``product_update`` saves the document with the fields it changes.

Matching and ranking (``text_match``)
    Every term of the query must match (AND); a Latin term matches as a word prefix
    ("oliv" finds "oliva"), a CJK piece exactly. A term matches a product when its
    names or descriptions have it, or when the name of its category does ("红酒" finds
    the red wines, whose names are appellations). The score ranks a term in the names
    (4 points each) above one in the category name (2) above one in the descriptions
    (1), then newest first: "olio" lists olive oil (name and category) above olive-oil
    soap (name only) above pasta that mentions oil in its description. The score is the
    same SQL on both vendors, so they rank alike.

PostgreSQL
    A stored generated column ``search_vector`` = ``to_tsvector('simple', search_names
    || ' ' || search_descriptions)`` ('simple': no stemming, no stop words; the document
    is already normalized) with a GIN index. The column is the database's (Django's
    model does not list it; ``install()`` adds it).

SQLite
    An FTS5 table ``catalog_product_search`` (unicode61 tokenizer, prefix indexes for
    two- and three-character prefixes) with external content on ``catalog_product``'s
    two document columns, kept in sync by triggers.

``install()`` creates what the current vendor needs (and drops what the first design,
migration 0003, created: a trigram FTS5 table, a tsvector index over the raw columns and
a pg_trgm index); it is idempotent. Migration 0009 calls it, and so does a
``post_migrate`` handler (``CatalogConfig.ready``): that covers test databases built
without migrations and SQLite table rebuilds (Django's SQLite schema editor re-creates a
table to alter it, which drops its triggers; the handler puts them back, recomputes the
documents and rebuilds the index).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "catalog_product_search"
NAME_COLUMNS = ("name_it", "name_en", "name_zh")
DESCRIPTION_COLUMNS = ("description_it", "description_en", "description_zh")
TEXT_COLUMNS = NAME_COLUMNS + DESCRIPTION_COLUMNS
DOCUMENT_COLUMNS = ("search_names", "search_descriptions")
PG_VECTOR_INDEX = "catalog_product_search_vector"
MAX_TOKENS = 8  # words of a query
MAX_TERMS = 16  # terms after CJK expansion
NAME_POINTS, CATEGORY_POINTS, DESCRIPTION_POINTS = 4, 2, 1

# the first design (migration 0003), dropped by install()
_LEGACY_FTS_TABLE = "catalog_product_fts"
_LEGACY_PG_INDEXES = (
    "catalog_product_search_tsv",
    "catalog_product_search_trgm",
    "catalog_product_search_doc",
)

_TOKEN = re.compile(r"[^\W_]+")  # runs of letters and digits, in any script
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK = re.compile(f"[{_CJK_RANGES}]")
_SCRIPT_RUNS = re.compile(f"[{_CJK_RANGES}]+|[^{_CJK_RANGES}]+")

# everyday words beside a catalog's wording: (normalized text found, words added)
SYNONYMS: tuple[tuple[str, str], ...] = (("红葡萄酒", "红酒"),)


# normalization ----------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Case and accents folded: NFKD without combining marks, recomposed (Hangul), then
    casefolded. "Caffè" -> "caffe", fullwidth "OLIO" -> "olio", "Straße" -> "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare).casefold()


def _cjk_pieces(run: str) -> list[str]:
    """Two-character pieces, then single characters, of a run of CJK characters."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + list(run)


def _terms(normalized: str) -> list[str]:
    terms: list[str] = []
    for word in _TOKEN.findall(normalized):
        for run in _SCRIPT_RUNS.findall(word):
            terms.extend(_cjk_pieces(run) if _CJK.match(run) else [run])
    return terms


def document(texts: Iterable[str | None]) -> str:
    """The search document of ``texts``: normalized terms, space-separated, each once."""
    normalized = " ".join(normalize(t) for t in texts if t)
    terms = _terms(normalized)
    for found, added in SYNONYMS:
        if found in normalized:
            terms.extend(_terms(normalize(added)))
    return " ".join(dict.fromkeys(terms))


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a query: ``text`` normalized; ``prefix`` when it matches as the start
    of a word (Latin words), else whole (CJK pieces)."""

    text: str
    prefix: bool

    def like_pattern(self) -> str:
        """LIKE pattern over ``' ' || document || ' '``: the terms are letters and
        digits only, so nothing needs escaping."""
        return f"% {self.text}%" if self.prefix else f"% {self.text} %"


def query_terms(q: str | None) -> list[Term]:
    """The terms of a query: its first MAX_TOKENS words, normalized; a CJK run of two or
    more characters becomes its two-character pieces (each must match)."""
    if not q:
        return []
    terms: list[Term] = []
    for word in _TOKEN.findall(normalize(q))[:MAX_TOKENS]:
        for run in _SCRIPT_RUNS.findall(word):
            if not _CJK.match(run):
                terms.append(Term(run, True))
            elif len(run) == 1:
                terms.append(Term(run, False))
            else:
                terms.extend(Term(run[i : i + 2], False) for i in range(len(run) - 1))
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def tokens(q: str | None) -> list[str]:
    """The words of a query, normalized, at most MAX_TOKENS of them."""
    if not q:
        return []
    return _TOKEN.findall(normalize(q))[:MAX_TOKENS]


def without_words(q: str | None) -> bool:
    """True for a query that has text but no word to look for ("!!!", '"', "-- ?"):
    it matches nothing (it is not a blank query, which matches everything)."""
    return bool(q and q.strip()) and not tokens(q)


class SearchDocumentField(models.TextField):
    """A search document computed from ``sources`` (fields of the same model) each time
    the row is written by the model: ``save()``, ``create()``, ``bulk_create()``. Not
    editable. ``save(update_fields=...)`` must name it to refresh it. Nullable without a
    default, so that adding it is an ``ALTER TABLE ... ADD COLUMN`` on SQLite too (not a
    table rebuild, which the tenant-key triggers of the catalog tables refuse); NULL
    only on rows written around the model before ``reindex``."""

    def __init__(self, *args: Any, sources: Sequence[str] = (), **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        for key, value in (("editable", False), ("blank", True), ("null", True)):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = document(str(getattr(model_instance, s) or "") for s in self.sources)
        setattr(model_instance, self.attname, value)
        return value


# installation -----------------------------------------------------------------------------

_SQLITE_COLUMNS = ", ".join(DOCUMENT_COLUMNS)
_SQLITE_NEW = ", ".join(f"new.{c}" for c in DOCUMENT_COLUMNS)
_SQLITE_OLD = ", ".join(f"old.{c}" for c in DOCUMENT_COLUMNS)
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
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {_SQLITE_COLUMNS} "
        f"ON catalog_product BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_SQLITE_COLUMNS}) "
        f"VALUES ('delete', old.id, {_SQLITE_OLD}); "
        f"INSERT INTO {FTS_TABLE}(rowid, {_SQLITE_COLUMNS}) VALUES (new.id, {_SQLITE_NEW}); END"
    ),
}
_LEGACY_SQLITE_TRIGGERS = tuple(f"{_LEGACY_FTS_TABLE}_{s}" for s in ("ai", "ad", "au"))


PG_VECTOR_COLUMN = "search_vector"
PG_VECTOR_EXPRESSION = (
    "to_tsvector('simple'::regconfig, "
    "COALESCE(search_names, '') || ' ' || COALESCE(search_descriptions, ''))"
)


def pg_vector_sql(alias: str = "") -> str:
    """The stored tsvector of a product (a generated column the GIN index covers)."""
    return f"{alias}.{PG_VECTOR_COLUMN}" if alias else PG_VECTOR_COLUMN


def _columns(connection: BaseDatabaseWrapper, cursor: Any, table: str) -> set[str]:
    return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def reindex(connection: BaseDatabaseWrapper, product_ids: Iterable[int] | None = None) -> int:
    """Recompute the search documents of the products ``product_ids`` (all without it)
    and of every category, from their source fields; returns how many products changed.
    For rows written around the model (``QuerySet.update``, raw SQL, a table rebuild)."""
    from fiera.catalog.models import Category, Product

    using = connection.alias
    categories = list(Category.objects.using(using).only("pk", *NAME_COLUMNS, "search_names"))
    for category in categories:
        category.search_names = document(getattr(category, c) for c in NAME_COLUMNS)
    Category.objects.using(using).bulk_update(categories, ["search_names"], batch_size=500)
    products = Product.objects.using(using).only("pk", *TEXT_COLUMNS, *DOCUMENT_COLUMNS)
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    changed: list[Any] = []
    for product in products.order_by("pk").iterator(chunk_size=2000):
        names = document(getattr(product, c) for c in NAME_COLUMNS)
        descriptions = document(getattr(product, c) for c in DESCRIPTION_COLUMNS)
        if (names, descriptions) != (product.search_names, product.search_descriptions):
            product.search_names, product.search_descriptions = names, descriptions
            changed.append(product)
    Product.objects.using(using).bulk_update(changed, list(DOCUMENT_COLUMNS), batch_size=1000)
    return len(changed)


def _install_sqlite(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in _LEGACY_SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {_LEGACY_FTS_TABLE}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            f"{_SQLITE_COLUMNS}, content='catalog_product', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'catalog_product'"
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in _SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(_SQLITE_TRIGGERS[name])
    if missing:  # new table, or triggers lost in a table rebuild: index what is there
        reindex(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _install_postgresql(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in _LEGACY_PG_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        # stored, not an index expression: a candidate row is checked without parsing
        # its document again (the sellable set often drives the plan)
        cursor.execute(
            f"ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS {PG_VECTOR_COLUMN} "
            f"tsvector GENERATED ALWAYS AS ({PG_VECTOR_EXPRESSION}) STORED"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {PG_VECTOR_INDEX} ON catalog_product "
            f"USING gin ({PG_VECTOR_COLUMN})"
        )


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the search structures for this connection's vendor (idempotent).

    Does nothing while ``catalog_product`` does not exist or has no document columns
    yet (migrated below 0009).
    """
    with connection.cursor() as cursor:
        if "catalog_product" not in connection.introspection.table_names(cursor):
            return
        if not set(DOCUMENT_COLUMNS) <= _columns(connection, cursor, "catalog_product"):
            return
    if connection.vendor == "sqlite":
        _install_sqlite(connection)
    elif connection.vendor == "postgresql":
        _install_postgresql(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in (*_SQLITE_TRIGGERS, *_LEGACY_SQLITE_TRIGGERS):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
            cursor.execute(f"DROP TABLE IF EXISTS {_LEGACY_FTS_TABLE}")
        elif connection.vendor == "postgresql":
            for name in (PG_VECTOR_INDEX, *_LEGACY_PG_INDEXES):
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            if "catalog_product" in connection.introspection.table_names(cursor):
                cursor.execute(
                    f"ALTER TABLE catalog_product DROP COLUMN IF EXISTS {PG_VECTOR_COLUMN}"
                )


# querying -------------------------------------------------------------------------------


@dataclass
class TextMatch:
    """SQL fragments that restrict products (alias ``alias``) to those matching a query.

    ``join`` goes after the FROM list (it joins the category as ``category_alias``),
    ``where`` is ANDed in, ``score`` is a numeric expression where higher means more
    relevant. Placeholders are %s; the params of each fragment are kept apart because
    fragments land in different clauses.
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


def _padded(column: str) -> str:
    return f"(' ' || {column} || ' ')"


def text_match(
    vendor: str, q: str | None, alias: str = "p", category_alias: str = "sc"
) -> TextMatch:
    """Fragments for the query ``q`` on ``vendor`` ("sqlite" or "postgresql").

    Every term must match (AND): in the product's document, or in its category's name.
    A blank query matches everything; one made only of punctuation matches nothing
    (``without_words``). See the module docstring for the score.
    """
    match = TextMatch()
    if without_words(q):
        match.where.append("1 = 0")
        return match
    terms = query_terms(q)
    if not terms:
        return match
    category_names = _padded("cn.search_names")
    for term in terms:
        pattern = term.like_pattern()
        if vendor == "postgresql":
            text = f"{pg_vector_sql(alias)} @@ to_tsquery('simple'::regconfig, %s)"
            text_param = f"'{term.text}'" + (":*" if term.prefix else "")
            category = (
                f"{alias}.category_id = ANY(ARRAY(SELECT cn.id FROM catalog_category cn "
                f"WHERE {category_names} LIKE %s))"
            )
        else:
            text = f"{alias}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
            text_param = f'"{term.text}"' + ("*" if term.prefix else "")
            category = (
                f"{alias}.category_id IN (SELECT cn.id FROM catalog_category cn "
                f"WHERE {category_names} LIKE %s)"
            )
        match.where.append(f"({text} OR {category})")
        match.where_params.extend([text_param, pattern])
    match.join = (
        f"LEFT JOIN catalog_category {category_alias} ON {category_alias}.id = {alias}.category_id"
    )
    parts: list[str] = []
    for column, points in (
        (f"{alias}.search_names", NAME_POINTS),
        (f"{category_alias}.search_names", CATEGORY_POINTS),
        (f"{alias}.search_descriptions", DESCRIPTION_POINTS),
    ):
        for term in terms:
            parts.append(f"(CASE WHEN {_padded(column)} LIKE %s THEN {points} ELSE 0 END)")
            match.score_params.append(term.like_pattern())
    match.score = "(" + " + ".join(parts) + ")"
    return match
