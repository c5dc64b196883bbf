from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from fiera.marketplaces.selectors import MarketplaceInfo


class MarketplaceOut(Schema):
    id: int
    slug: str
    name: str = Field(description="in English; the default")
    name_it: str = Field(description="in Italian; empty when not translated")
    name_zh: str = Field(description="in Simplified Chinese; empty when not translated")
    name_es: str = Field("", description="in Spanish; empty when not translated")
    kind: str
    kind_label: str
    worldwide: bool
    default_currency: str = Field(description="ISO 4217")
    languages: list[str]
    default_language: str
    countries: dict[str, str] = Field(
        description="ISO 3166-1 alpha-2 country -> ISO 4217 currency buyers there pay in; "
        "empty for a worldwide marketplace"
    )

    @classmethod
    def of(cls, info: MarketplaceInfo) -> MarketplaceOut:
        return cls(
            id=info.id,
            slug=info.slug,
            name=info.name,
            name_it=info.name_it,
            name_zh=info.name_zh,
            name_es=info.name_es,
            kind=info.kind,
            kind_label=info.kind_label,
            worldwide=info.worldwide,
            default_currency=info.default_currency,
            languages=list(info.languages),
            default_language=info.default_language,
            countries=dict(info.countries),
        )


class MarketplaceIn(Schema):
    slug: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=120, description="in English")
    name_it: str = Field("", max_length=120, description="in Italian (optional)")
    name_zh: str = Field("", max_length=120, description="in Simplified Chinese (optional)")
    name_es: str = Field("", max_length=120, description="in Spanish (optional)")
    kind: Literal["b2c_domestic", "b2c_cross_border", "b2b_trade", "regional"]
    languages: list[str] = Field(description='language codes, e.g. ["it", "en"]')
    default_language: str
    default_currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. EUR")
    worldwide: bool = False
    countries: dict[str, str] = Field(
        default_factory=dict, description="ISO 3166-1 alpha-2 -> ISO 4217; empty if worldwide"
    )


class CountryCurrencyIn(Schema):
    currency: str = Field(
        pattern=r"^[A-Z]{3}$", description="ISO 4217 currency buyers in this country pay in"
    )
