"""Trade documents as PDF: the proforma invoice, the commercial invoice and the packing
list of a B2B order, rendered offline by WeasyPrint from the Django templates under
``trade/documents/`` (decision 0018).

Private to the trade app: ``selectors.order_document`` gathers the order and the parties
and calls ``render``. Nothing is fetched while rendering: the style sheet is inline, the
fonts are the machine's (fontconfig: DejaVu/Noto for Latin text, WenQuanYi Micro Hei for
Chinese), and the URL fetcher refuses every URL but ``data:``. WeasyPrint (and the pango
library it needs) is imported on first use, so the rest of Fiera runs without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from fiera.common.errors import DomainError
from fiera.common.reference import babel_locale, country_name
from fiera.common.trade_terms import SAMPLE, incoterm_name, payment_terms_name
from fiera.orders.selectors import INVOICE, PACKING_LIST, PROFORMA, OrderForDocuments

PREFIXES = {PROFORMA: "PI", INVOICE: "CI", PACKING_LIST: "PL"}
TEMPLATES = {
    PROFORMA: "trade/documents/proforma.html",
    INVOICE: "trade/documents/invoice.html",
    PACKING_LIST: "trade/documents/packing_list.html",
}


class DocumentsUnavailable(DomainError):
    """WeasyPrint or its pango library is missing on this machine (README: "Trade
    documents"). 503: the order is fine, the server cannot draw the PDF now."""

    status = 503
    code = "documents_unavailable"
    message_template = _(
        "Trade documents cannot be produced on this server right now; please try again "
        "later or ask the operator."
    )


@dataclass(frozen=True, slots=True)
class Party:
    """A seller or a buyer as the documents print it: the name, the address lines, and the
    tax and registration numbers when known ("" otherwise)."""

    name: str
    address: tuple[str, ...]
    country: str  # ISO 3166-1 alpha-2, "" when unknown
    vat_number: str = ""
    registration_number: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    number: str  # "PI-F000042-1": the kind's prefix and the order number
    language: str
    filename: str
    pdf: bytes


def document_number(kind: str, order_number: str) -> str:
    """The document's number: one proforma, one commercial invoice and one packing list per
    order, so the order number with the kind's prefix names each for good."""
    return f"{PREFIXES[kind]}-{order_number}"


def kilograms(grams: int) -> str:
    """Grams as kilograms with three decimals in the active language ("1,250" in Italian);
    exact (Decimal), never a float."""
    return format_decimal(Decimal(grams) / 1000, format="#,##0.000", locale=babel_locale())


def _context(
    kind: str, order: OrderForDocuments, seller: Party, buyer: Party, language: str
) -> dict[str, Any]:
    net_grams = sum(line.weight_grams * line.quantity for line in order.lines)
    lines = [
        {
            "line": line,
            "position": index,
            "sample": line.price_kind == SAMPLE,
            "origin": country_name(line.origin_country, language) if line.origin_country else "",
            "unit_weight": kilograms(line.weight_grams) if line.weight_grams else "",
            "net_weight": kilograms(line.weight_grams * line.quantity) if line.weight_grams else "",
        }
        for index, line in enumerate(order.lines, start=1)
    ]
    origins = sorted(
        {country_name(line.origin_country, language) for line in order.lines if line.origin_country}
    )
    return {
        "kind": kind,
        "language": language,
        "number": document_number(kind, order.number),
        "date": order.placed_at if kind == PROFORMA else (order.shipped_at or order.placed_at),
        "order": order,
        "seller": seller,
        "buyer": buyer,
        "seller_country": country_name(seller.country, language) if seller.country else "",
        "buyer_country": country_name(buyer.country, language) if buyer.country else "",
        "ship_country": country_name(order.ship_country, language),
        "incoterm_name": incoterm_name(order.incoterm) if order.incoterm else "",
        "payment_terms_name": payment_terms_name(order.payment_terms)
        if order.payment_terms
        else "",
        "lines": lines,
        "origins": origins,
        "units": sum(line.quantity for line in order.lines),
        "net_weight": kilograms(net_grams) if net_grams else "",
        "weights_missing": any(not line.weight_grams for line in order.lines),
        "paid": order.paid_at is not None,
    }


def html(*, kind: str, order: OrderForDocuments, seller: Party, buyer: Party, language: str) -> str:
    """The document's HTML in ``language`` (a code of settings.LANGUAGES)."""
    with translation.override(language):
        return render_to_string(TEMPLATES[kind], _context(kind, order, seller, buyer, language))


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher, refusing every URL but ``data:`` (nothing from another
    host, nor from this machine's files). ``refused`` lists what was asked for."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=["data"], allow_redirects=False, timeout=1)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                self.refused.append(url)
                raise ValueError(f"trade documents fetch nothing: {url[:80]} refused")
            return super().fetch(url, headers)

    return OfflineFetcher()


def pdf_from_html(document_html: str, *, fetcher: Any = None) -> bytes:
    """The PDF of ``document_html``, drawn offline (``_fetcher``). ``DocumentsUnavailable``
    when WeasyPrint or pango cannot be loaded."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise DocumentsUnavailable(f"WeasyPrint cannot be loaded: {exc}") from None
    fetcher = fetcher if fetcher is not None else _fetcher()
    document = weasyprint.HTML(string=document_html, url_fetcher=fetcher)
    return bytes(document.write_pdf())


def render(
    *, kind: str, order: OrderForDocuments, seller: Party, buyer: Party, language: str
) -> Document:
    """The document ``kind`` of ``order`` as a PDF in ``language``."""
    number = document_number(kind, order.number)
    short = "zh" if language.startswith("zh") else language
    return Document(
        kind=kind,
        number=number,
        language=language,
        filename=f"{kind}-{order.number}-{short}.pdf",
        pdf=pdf_from_html(
            html(kind=kind, order=order, seller=seller, buyer=buyer, language=language)
        ),
    )
