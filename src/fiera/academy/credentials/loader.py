"""A JSON-LD document loader that serves only the contexts shipped in ``contexts/``.

Signing and verifying a credential canonicalises it with JSON-LD, which needs the context
documents named in its ``@context``. Fetching them from the web at run time would make a
verification depend on (and leak to) third-party hosts, and let a changed context change what a
signature means; so the loader serves the files shipped with the package, by exact URL, and
refuses every other URL with :class:`UnknownContextError`. It never touches the network.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from pyld.context_resolver import ContextResolver
from pyld.jsonld import LRUCache

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"

# URL -> file name in contexts/ (the folder's README.md names each file's source and licence).
KNOWN_CONTEXTS: Mapping[str, str] = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    VC_V1_CONTEXT: "credentials-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    DATA_INTEGRITY_V2_CONTEXT: "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
}


class UnknownContextError(Exception):
    """A document names a context URL that is not shipped; nothing was fetched."""

    def __init__(self, url: str) -> None:
        super().__init__(f"unknown context {url}")
        self.url = url


@cache
def _shipped(file_name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("contexts").joinpath(file_name).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def shipped_context(url: str) -> dict[str, Any]:
    """The parsed context document shipped for ``url`` (a copy); UnknownContextError if none."""
    file_name = KNOWN_CONTEXTS.get(url)
    if file_name is None:
        raise UnknownContextError(url)
    return copy.deepcopy(_shipped(file_name))


class ContextLoader:
    """A pyld ``documentLoader``: ``loader(url, options)`` -> pyld's remote-document dict.

    ``extra`` maps more URLs to parsed context documents (tests use it for the W3C examples
    context; production code has no reason to). Each loader keeps its own cache of resolved
    contexts (:meth:`resolver`, one per thread), so a context that one loader knows never
    leaks, through pyld's process-wide cache, into a loader that must refuse it.
    """

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._extra = {url: copy.deepcopy(dict(doc)) for url, doc in (extra or {}).items()}
        self._local = threading.local()  # pyld's LRU cache is not thread-safe: one per thread

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        extra = self._extra.get(url)
        document = copy.deepcopy(extra) if extra is not None else shipped_context(url)
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            "contentType": "application/ld+json",
        }

    def resolver(self) -> Any:
        """A pyld ContextResolver bound to this loader and its own cache (pass as options)."""
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = LRUCache(maxsize=100)
        return ContextResolver(cache, self)


DEFAULT_LOADER = ContextLoader()
