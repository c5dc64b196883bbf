# ruff: noqa: RUF001 - Chinese text uses full-width punctuation by design
"""Demo merchants from outside Italy: French, Spanish, German, Japanese, Korean, American,
British, Swiss, Greek, Portuguese, Dutch, Australian and New Zealand companies selling on
the cross-border and regional marketplaces, so that a festival's GMV "by country of the
merchant" has a real ranking with Italy among the top ten (fiera.demo.festivals).

The companies are fictional (names written here, none of them a real brand); each has a
tax number in its country's format with a valid check digit (checked with ``python-stdnum``
as the Italian ones are), a town, a few products named in Italian, English and Chinese,
and prices in every currency of the marketplaces it sells on (``fiera.demo.prices``).

``build_abroad`` writes them after the Italian catalog (bulk, like the rest of the demo)
and hands them to the order history as ``DemoMerchant`` rows. Idempotent with ``--keep``:
a company whose tax number exists is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.text import slugify
from stdnum import luhn
from stdnum.au import abn
from stdnum.ch import vat as ch_vat
from stdnum.de import vat as de_vat
from stdnum.es import nif as es_nif
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.gr import vat as gr_vat
from stdnum.jp import cn as jp_cn
from stdnum.kr import brn as kr_brn
from stdnum.nl import btw as nl_btw
from stdnum.nz import ird as nz_ird
from stdnum.pt import nif as pt_nif
from stdnum.us import ein as us_ein

from fiera.catalog.models import Category, Price, Product, Variant, Warehouse
from fiera.common.reference import country_name
from fiera.demo import vocabulary as vocab
from fiera.demo.prices import convert_eur, percent_of
from fiera.merchants.models import CompanySize, Merchant, Sector, Store, VerificationLevel

if TYPE_CHECKING:
    from fiera.demo.build import DemoMerchant, World

Text = vocab.Text


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    made_in: Text  # "in Francia", "in France", "法国" (after a verb: "we make ... in")

    @property
    def name(self) -> Text:
        """The country's name in it/en/zh, from CLDR (``fiera.common.reference``)."""
        return Text(*(country_name(self.code, language) for language in ("it", "en", "zh-hans")))


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("IT", Text("in Italia", "in Italy", "意大利")),
        Country("FR", Text("in Francia", "in France", "法国")),
        Country("ES", Text("in Spagna", "in Spain", "西班牙")),
        Country("DE", Text("in Germania", "in Germany", "德国")),
        Country("JP", Text("in Giappone", "in Japan", "日本")),
        Country("KR", Text("in Corea del Sud", "in South Korea", "韩国")),
        Country("US", Text("negli Stati Uniti", "in the United States", "美国")),
        Country("GB", Text("nel Regno Unito", "in the United Kingdom", "英国")),
        Country("CH", Text("in Svizzera", "in Switzerland", "瑞士")),
        Country("GR", Text("in Grecia", "in Greece", "希腊")),
        Country("PT", Text("in Portogallo", "in Portugal", "葡萄牙")),
        Country("NL", Text("nei Paesi Bassi", "in the Netherlands", "荷兰")),
        Country("AU", Text("in Australia", "in Australia", "澳大利亚")),
        Country("NZ", Text("in Nuova Zelanda", "in New Zealand", "新西兰")),
    )
}


# --- tax numbers ----------------------------------------------------------------------------


def _digits(rng: random.Random, n: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _fr(rng: random.Random) -> str:
    siren = _digits(rng, 8)
    siren += luhn.calc_check_digit(siren)
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


# country -> (draw a candidate, is it valid): candidates are drawn until one is valid
_TAX_IDS: dict[str, tuple[Callable[[random.Random], str], Callable[[str], bool]]] = {
    "FR": (_fr, fr_tva.is_valid),
    "DE": (lambda r: "DE" + _digits(r, 9), de_vat.is_valid),
    "ES": (lambda r: "ESB" + _digits(r, 7, "0123456789") + r.choice("0123456789"), es_nif.is_valid),
    "GB": (lambda r: "GB" + _digits(r, 9), gb_vat.is_valid),
    "CH": (lambda r: "CHE" + _digits(r, 9) + "TVA", ch_vat.is_valid),
    "GR": (lambda r: "EL" + _digits(r, 9, "0"), gr_vat.is_valid),
    "PT": (lambda r: "PT5" + _digits(r, 8, "0123456789"), pt_nif.is_valid),
    "NL": (lambda r: "NL" + _digits(r, 9) + "B01", nl_btw.is_valid),
    "JP": (lambda r: "JP" + _digits(r, 13), lambda v: jp_cn.is_valid(v[2:])),
    "KR": (lambda r: "KR" + _digits(r, 10), lambda v: kr_brn.is_valid(v[2:])),
    "US": (
        lambda r: "US" + r.choice(("20", "46", "81", "94")) + _digits(r, 7),
        lambda v: us_ein.is_valid(v[2:]),
    ),
    "AU": (lambda r: "AU" + _digits(r, 11), lambda v: abn.is_valid(v[2:])),
    "NZ": (lambda r: "NZ" + _digits(r, 9, "1"), lambda v: nz_ird.is_valid(v[2:])),
}


def tax_number(country: str, rng: random.Random, taken: set[str]) -> str:
    """A fresh tax number of a company in ``country`` ("FR" + 11 digits, "DE" + 9 ...)."""
    draw, valid = _TAX_IDS[country]
    while True:
        candidate = draw(rng)
        if valid(candidate) and candidate not in taken:
            taken.add(candidate)
            return candidate


def tax_number_is_valid(country: str, number: str) -> bool:
    return _TAX_IDS[country][1](number)


# --- the companies --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    type_key: str  # a vocab.PRODUCT_TYPES key: category, variants, weight, picture
    name: Text
    eur_cents: int  # list price of the first variant
    hs_code: str = ""  # overrides the type's code


@dataclass(frozen=True, slots=True)
class Maker:
    country: str
    name: str
    legal_form: str
    town: str
    profile: str  # a vocab.PROFILES key: the sectors it is filed under
    marketplaces: tuple[str, ...]
    popularity: float  # weight among the merchants in the order history
    items: tuple[Item, ...]
    large: bool = False


def i(type_key: str, it: str, en: str, zh: str, eur_cents: int, hs_code: str = "") -> Item:
    return Item(type_key, Text(it, en, zh), eur_cents, hs_code)


CB, FS, SEA = "crossborder-cn", "flagship-cn", "sea"

MAKERS: tuple[Maker, ...] = (
    # France
    Maker("FR", "Maison Lavandière", "SAS", "Grasse", "cosmetics", (CB, FS, SEA), 6.0, (
        i("perfume", "Eau de parfum Lavanda di Provenza", "Provence Lavender eau de parfum",
          "普罗旺斯薰衣草香水", 7900),
        i("face-cream", "Crema viso alla rosa centifolia", "Centifolia rose face cream",
          "百叶玫瑰面霜", 4200),
        i("soap", "Sapone di Marsiglia all'olio d'oliva", "Olive oil Marseille soap",
          "橄榄油马赛皂", 900),
    ), large=True),
    Maker("FR", "Laboratoires Dermaline", "SAS", "Lyon", "cosmetics", (CB, SEA), 5.0, (
        i("serum", "Siero viso all'acido ialuronico", "Hyaluronic acid face serum",
          "玻尿酸精华液", 3900),
        i("face-cream", "Crema lenitiva per pelli sensibili", "Soothing cream for sensitive skin",
          "敏感肌舒缓霜", 2900),
        i("shampoo", "Shampoo dermatologico delicato", "Gentle dermatological shampoo",
          "温和皮肤科洗发水", 1500),
    )),
    Maker("FR", "Château Saint-Aubert", "SCEA", "Pauillac", "wine", (CB, FS), 3.0, (
        i("red-wine", "Château Saint-Aubert Pauillac 2019", "Château Saint-Aubert Pauillac 2019",
          "圣奥贝尔酒庄波雅克红葡萄酒 2019", 6800),
        i("red-wine", "Bordeaux Supérieur 2021", "Bordeaux Supérieur 2021",
          "波尔多优级红葡萄酒 2021", 1900),
    )),
    Maker("FR", "Chocolaterie Vernier", "SARL", "Paris", "food", (CB, SEA), 2.0, (
        i("chocolate", "Tavoletta fondente 70 % Madagascar", "Madagascar 70 % dark chocolate bar",
          "马达加斯加70%黑巧克力", 650),
        i("gianduiotti", "Scatola di macarons al cioccolato", "Box of chocolate macarons",
          "巧克力马卡龙礼盒", 2400, "190590"),
    )),
    # Japan
    Maker("JP", "Hanamizu Cosmetics", "Co., Ltd.", "Tokyo", "cosmetics", (CB, FS, SEA), 9.0, (
        i("serum", "Essenza idratante al sakè", "Sake hydrating essence", "清酒保湿精华露",
          4800),
        i("face-cream", "Crema solare viso SPF 50+", "Face sunscreen SPF 50+", "面部防晒霜SPF50+",
          2200),
        i("lipstick", "Tinta labbra al fiore di ciliegio", "Cherry blossom lip tint",
          "樱花染唇液", 1600),
    ), large=True),
    Maker("JP", "Uji Seicha-en", "Co., Ltd.", "Uji", "food", (CB, SEA), 5.0, (
        i("coffee", "Matcha cerimoniale di Uji", "Uji ceremonial matcha", "宇治抹茶", 3200,
          "090210"),
        i("coffee", "Tè verde sencha del primo raccolto", "First-flush sencha green tea",
          "头采煎茶", 1800, "090210"),
    )),
    Maker("JP", "Hinoki Distillery", "Co., Ltd.", "Nagano", "wine", (CB, SEA), 4.0, (
        i("grappa", "Whisky single malt giapponese 12 anni",
          "Japanese single malt whisky, 12 years", "日本单一麦芽威士忌12年", 9500, "220830"),
        i("limoncello", "Liquore allo yuzu", "Yuzu liqueur", "柚子利口酒", 2600),
    )),
    # South Korea
    Maker("KR", "Seoul Glow Lab", "Co., Ltd.", "Seoul", "cosmetics", (CB, FS, SEA), 8.0, (
        i("serum", "Siero alla bava di lumaca", "Snail mucin serum", "蜗牛原液精华", 2500),
        i("face-cream", "Crema cushion illuminante", "Glow cushion cream", "亮肤气垫霜", 2800),
        i("soap", "Maschere in tessuto al riso (10)", "Rice sheet masks (10)", "大米面膜（10片）",
          1900, "330499"),
    ), large=True),
    Maker("KR", "Jeju Green Botanics", "Co., Ltd.", "Jeju", "cosmetics", (CB, SEA), 4.0, (
        i("serum", "Siero al tè verde di Jeju", "Jeju green tea serum", "济州绿茶精华", 2700),
        i("soap", "Schiuma detergente al tè verde", "Green tea cleansing foam", "绿茶洁面泡沫",
          1300, "340130"),
    )),
    Maker("KR", "Hanbit Ginseng", "Co., Ltd.", "Geumsan", "food", (CB, SEA), 3.0, (
        i("honey", "Estratto di ginseng rosso coreano", "Korean red ginseng extract",
          "高丽红参精", 6900, "130219"),
        i("honey", "Tè al ginseng rosso (30 bustine)", "Red ginseng tea (30 sticks)",
          "红参茶（30包）", 2900, "210690"),
    )),
    # United States
    Maker("US", "Cascade Nutrition", "Inc.", "Portland, Oregon", "food", (CB, SEA), 6.0, (
        i("honey", "Omega-3 da olio di pesce, 120 capsule", "Omega-3 fish oil, 120 softgels",
          "深海鱼油Omega-3（120粒）", 3400, "210690"),
        i("honey", "Multivitaminico in caramelle gommose", "Multivitamin gummies",
          "复合维生素软糖", 2200, "210690"),
    )),
    Maker("US", "Napa Ridge Cellars", "LLC", "Napa, California", "wine", (CB, FS), 3.0, (
        i("red-wine", "Cabernet Sauvignon Napa Valley 2020", "Napa Valley Cabernet Sauvignon 2020",
          "纳帕谷赤霞珠红葡萄酒 2020", 5400),
        i("white-wine", "Chardonnay Sonoma Coast 2022", "Sonoma Coast Chardonnay 2022",
          "索诺玛海岸霞多丽白葡萄酒 2022", 3200),
    )),
    Maker("US", "Trailhead Outfitters", "Inc.", "Boulder, Colorado", "sport", (CB, SEA), 2.0, (
        i("hiking-boots", "Scarponcini da trekking impermeabili", "Waterproof hiking boots",
          "防水徒步靴", 16900),
        i("football", "Pallone da basket in pelle", "Leather basketball", "真皮篮球", 5900,
          "950662"),
    )),
    # Germany
    Maker("DE", "Porzellanmanufaktur Weidenau", "GmbH", "Selb", "ceramics", (CB, FS), 2.5, (
        i("dinner-set", "Servizio da tavola in porcellana bianca", "White porcelain dinner set",
          "白瓷餐具套装", 18900),
        i("vase", "Vaso in porcellana Bauhaus", "Bauhaus porcelain vase", "包豪斯瓷花瓶", 8900,
          "691390"),
    )),
    Maker("DE", "Bergmann Kinderernährung", "GmbH", "Augsburg", "food", (CB, SEA), 5.0, (
        i("honey", "Latte in polvere per lattanti 1, 800 g", "Infant formula stage 1, 800 g",
          "婴儿配方奶粉1段800克", 2900, "190110"),
        i("honey", "Latte di proseguimento 2, 800 g", "Follow-on formula stage 2, 800 g",
          "较大婴儿配方奶粉2段800克", 2700, "190110"),
    )),
    # Spain
    Maker("ES", "Almazara Sierra Sur", "S.L.", "Jaén", "food", (CB, SEA), 2.5, (
        i("olive-oil", "Olio extravergine di oliva picual", "Picual extra virgin olive oil",
          "皮夸尔特级初榨橄榄油", 1600),
        i("olive-oil", "Olio extravergine biologico hojiblanca",
          "Organic hojiblanca extra virgin olive oil", "有机霍希布兰卡特级初榨橄榄油", 2100),
    )),
    Maker("ES", "Bodegas Valdeoro", "S.L.", "Logroño", "wine", (CB, FS), 2.0, (
        i("red-wine", "Rioja Reserva 2018", "Rioja Reserva 2018", "里奥哈珍藏红葡萄酒 2018",
          2400),
        i("sparkling", "Cava Brut Nature", "Cava Brut Nature", "卡瓦天然干型起泡酒", 1400),
    )),
    # United Kingdom
    Maker("GB", "Highland Glen Distillers", "Ltd", "Aberlour", "wine", (CB, FS, SEA), 3.5, (
        i("grappa", "Scotch whisky single malt dello Speyside, 15 anni",
          "Speyside single malt Scotch whisky, 15 years", "斯佩塞单一麦芽苏格兰威士忌15年",
          8900, "220830"),
        i("grappa", "Gin artigianale delle Highlands", "Highland craft gin", "高地手工金酒",
          3400, "220850"),
    )),
    Maker("GB", "Cotswold Tea Company", "Ltd", "Cheltenham", "food", (CB, SEA), 2.0, (
        i("coffee", "Tè English Breakfast in foglia", "English Breakfast loose-leaf tea",
          "英式早餐散装红茶", 1200, "090240"),
        i("cantucci", "Shortbread al burro scozzese", "Scottish butter shortbread",
          "苏格兰黄油酥饼", 800),
    )),
    # Switzerland
    Maker("CH", "Chocolats Aebischer", "SA", "Fribourg", "food", (CB, FS, SEA), 4.0, (
        i("chocolate", "Cioccolato al latte alpino", "Alpine milk chocolate", "阿尔卑斯牛奶巧克力",
          550),
        i("gianduiotti", "Praline assortite al kirsch", "Assorted kirsch pralines",
          "樱桃酒夹心巧克力礼盒", 3200),
    )),
    Maker("CH", "Horlogerie du Sentier", "SA", "Le Sentier", "jewellery", (FS, SEA), 2.0, (
        i("watch", "Orologio automatico con calendario", "Automatic calendar watch",
          "自动机械日历腕表", 189000),
        i("watch", "Orologio al quarzo in acciaio", "Steel quartz watch", "精钢石英腕表", 39000,
          "910211"),
    )),
    # Greece
    Maker("GR", "Kalamata Grove", "S.A.", "Kalamata", "food", (CB, SEA), 2.0, (
        i("olive-oil", "Olio extravergine di Kalamata DOP", "Kalamata PDO extra virgin olive oil",
          "卡拉马塔原产地特级初榨橄榄油", 1800),
        i("honey", "Miele di timo greco", "Greek thyme honey", "希腊百里香蜂蜜", 1400),
    )),
    # Portugal
    Maker("PT", "Quinta do Vale Alto", "Lda.", "Peso da Régua", "wine", (CB, FS), 1.5, (
        i("red-wine", "Porto Tawny 10 anni", "10-year-old Tawny Port", "十年茶色波特酒", 3200,
          "220421"),
        i("white-wine", "Vinho Verde 2023", "Vinho Verde 2023", "绿酒 2023", 1100),
    )),
    # Netherlands
    Maker("NL", "Zuiderhof Zuivel", "B.V.", "Leeuwarden", "food", (CB, SEA), 4.0, (
        i("honey", "Latte in polvere per lattanti 1, 900 g", "Infant formula stage 1, 900 g",
          "婴儿配方奶粉1段900克", 3100, "190110"),
        i("parmigiano", "Gouda stagionato 24 mesi", "Gouda aged 24 months", "陈年24个月高达奶酪",
          2600),
    )),
    # Australia
    Maker("AU", "Bellarine Dairy", "Pty Ltd", "Geelong", "food", (CB, SEA), 5.0, (
        i("honey", "Latte intero in polvere, 1 kg", "Full cream milk powder, 1 kg",
          "全脂奶粉1公斤", 1900, "040221"),
        i("honey", "Latte in polvere per lattanti 1, 800 g", "Infant formula stage 1, 800 g",
          "婴儿配方奶粉1段800克", 3300, "190110"),
    ), large=True),
    Maker("AU", "Barossa Hills Wines", "Pty Ltd", "Tanunda", "wine", (CB, FS, SEA), 3.0, (
        i("red-wine", "Shiraz della Barossa Valley 2021", "Barossa Valley Shiraz 2021",
          "巴罗萨谷西拉红葡萄酒 2021", 2900),
        i("sparkling", "Spumante Tasmania Brut", "Tasmanian Brut sparkling", "塔斯马尼亚干型起泡酒",
          2300),
    )),
    Maker("AU", "Byron Bay Botanics", "Pty Ltd", "Byron Bay", "cosmetics", (CB, SEA), 2.5, (
        i("face-cream", "Crema alla lanolina", "Lanolin cream", "绵羊油面霜", 1500),
        i("serum", "Olio viso al Kakadu plum", "Kakadu plum face oil", "卡卡杜李面部精华油",
          3600),
    )),
    # New Zealand
    Maker("NZ", "Kowhai Manuka", "Limited", "Tauranga", "food", (CB, FS, SEA), 4.0, (
        i("honey", "Miele di manuka UMF 10+, 250 g", "Manuka honey UMF 10+, 250 g",
          "麦卢卡蜂蜜UMF10+ 250克", 3900),
        i("honey", "Miele di manuka UMF 15+, 500 g", "Manuka honey UMF 15+, 500 g",
          "麦卢卡蜂蜜UMF15+ 500克", 8900),
    )),
)  # fmt: skip


def merchant_countries() -> list[str]:
    """The countries of the foreign demo makers, most makers first."""
    counts: dict[str, int] = {}
    for maker in MAKERS:
        counts[maker.country] = counts.get(maker.country, 0) + 1
    return sorted(counts, key=lambda c: (-counts[c], c))


# --- writing them -------------------------------------------------------------------------


def _descriptions(maker: Maker, product: Text) -> dict[str, str]:
    country = COUNTRIES[maker.country]
    return {
        "description_it": (
            f"{product.it}. Prodotto da {maker.name} a {maker.town} ({country.name.it})."
        ),
        "description_en": (
            f"{product.en}. Made by {maker.name} in {maker.town} ({country.name.en})."
        ),
        "description_zh": f"{product.zh}。由{country.name.zh} {maker.town} 的 {maker.name} 出品。",
    }


def build_abroad(world: World, *, seed: int) -> list[DemoMerchant]:
    """Write the foreign makers (merchant, sectors, stores, warehouse, products, variants,
    prices) not there yet; returns them as ``DemoMerchant`` for the order history."""
    from fiera.demo.build import MARKETPLACES, DemoMerchant, DemoVariant

    rng = random.Random(f"abroad-{seed}")
    taken_vat = set(Merchant.objects.values_list("vat_number", flat=True))
    taken_slugs = set(Merchant.objects.values_list("slug", flat=True))
    sectors = dict(Sector.objects.values_list("slug", "pk"))
    profiles = {p.key: p for p in vocab.PROFILES}
    types = {t.key: t for t in vocab.PRODUCT_TYPES}
    category_ids = dict(Category.objects.values_list("slug", "pk"))
    specs = {m.slug: m for m in MARKETPLACES}
    makers: list[Maker] = []
    rows: list[Merchant] = []
    for maker in MAKERS:
        vat = tax_number(maker.country, random.Random(f"{seed}-{maker.name}"), set())
        slug = slugify(f"{maker.name} {maker.country}")[:80]
        if vat in taken_vat or slug in taken_slugs:
            continue  # from an earlier run (--keep)
        taken_vat.add(vat)
        taken_slugs.add(slug)
        makers.append(maker)
        rows.append(
            Merchant(
                slug=slug,
                legal_name=f"{maker.name} {maker.legal_form}",
                display_name=maker.name,
                vat_number=vat,
                country=maker.country,
                town=maker.town,
                size=CompanySize.LARGE if maker.large else CompanySize.SME,
                verification_level=VerificationLevel.REGISTERED,
                description=(
                    f"{maker.name} sells its own products from {maker.town} "
                    f"({COUNTRIES[maker.country].name.en})."
                ),
            )
        )
    created = Merchant.objects.bulk_create(rows)
    through = Merchant.sectors.through
    through.objects.bulk_create(
        through(merchant_id=m.pk, sector_id=sectors[s])
        for m, maker in zip(created, makers, strict=True)
        for s in profiles[maker.profile].sectors
    )
    Store.objects.bulk_create(
        Store(
            merchant_id=m.pk,
            marketplace=world.marketplaces[slug],
            slug=m.slug,
            name=m.display_name,
        )
        for m, maker in zip(created, makers, strict=True)
        for slug in maker.marketplaces
    )
    warehouses = Warehouse.objects.bulk_create(
        Warehouse(
            merchant_id=m.pk,
            code="main",
            name=f"{maker.town} warehouse"[:120],
            country=maker.country,
        )
        for m, maker in zip(created, makers, strict=True)
    )
    demo_merchants: list[DemoMerchant] = []
    products: list[Product] = []
    plans: list[tuple[DemoMerchant, Item, Any]] = []
    for merchant, maker, warehouse in zip(created, makers, warehouses, strict=True):
        demo = DemoMerchant(
            id=merchant.pk,
            slug=merchant.slug,
            display_name=maker.name,
            profile=profiles[maker.profile],
            product_types=tuple(dict.fromkeys(item.type_key for item in maker.items)),
            region_code="",
            town=maker.town,
            size=merchant.size,
            marketplaces=[s.slug for s in MARKETPLACES if s.slug in maker.marketplaces],
            popularity=maker.popularity,
            warehouse_id=warehouse.pk,
            country=maker.country,
        )
        demo_merchants.append(demo)
        for item in maker.items:
            type_ = types[item.type_key]
            product = Product(
                merchant_id=merchant.pk,
                slug=slugify(item.name.en)[:110] or "product",
                category_id=category_ids.get(type_.category),
                name_it=item.name.it,
                name_en=item.name.en,
                name_zh=item.name.zh,
                hs_code=item.hs_code or type_.hs_code,
                origin_country=maker.country,
                **_descriptions(maker, item.name),
            )
            products.append(product)
            plans.append((demo, item, product))
    Product.objects.bulk_create(products)
    variants: list[Variant] = []
    demo_variants: list[DemoVariant] = []
    for demo, item, product in plans:
        type_ = types[item.type_key]
        scheme = vocab.VARIANT_SCHEMES[type_.variants]
        first_percent = scheme[0][2]
        prefix = "".join(ch for ch in type_.key.upper() if ch.isalpha())[:4]
        for index, (label, attributes, price_percent, weight_percent) in enumerate(
            scheme[: 1 + (len(scheme) > 1 and rng.random() < 0.6)], start=1
        ):
            eur = max(100, item.eur_cents * price_percent // max(1, first_percent))
            variant_demo = DemoVariant(
                id=0,
                merchant_id=demo.id,
                sku=f"{prefix}-{product.pk:05d}-{index:02d}",
                label=label,
                name_it=product.name_it,
                name_en=product.name_en,
                name_zh=product.name_zh,
                hs_code=product.hs_code,
                min_order_quantity=1,
                units=rng.randint(300, 1500),
            )
            for slug in demo.marketplaces:
                spec = specs[slug]
                currencies = sorted(set(spec.countries.values())) or [spec.default_currency]
                for currency in currencies:
                    list_price = convert_eur(eur * spec.price_percent // 100 or 1, currency)
                    variant_demo.prices[(slug, currency)] = tuple(
                        (min_q, percent_of(list_price.amount_minor, pct, currency))
                        for min_q, pct in spec.tiers
                    )
            demo.variants.append(variant_demo)
            demo_variants.append(variant_demo)
            variants.append(
                Variant(
                    product_id=product.pk,
                    merchant_id=demo.id,
                    sku=variant_demo.sku,
                    label=label,
                    attributes=attributes,
                    weight_grams=max(1, type_.weight_grams * weight_percent // 100),
                    min_order_quantity=1,
                )
            )
    Variant.objects.bulk_create(variants)
    prices: list[Price] = []
    for variant_demo, variant in zip(demo_variants, variants, strict=True):
        variant_demo.id = variant.pk
        for (slug, currency), tiers in variant_demo.prices.items():
            prices.extend(
                Price(
                    variant_id=variant.pk,
                    merchant_id=variant_demo.merchant_id,
                    marketplace_id=world.marketplaces[slug].pk,
                    currency=currency,
                    amount_minor=amount,
                    min_quantity=min_q,
                )
                for min_q, amount in tiers
            )
    Price.objects.bulk_create(prices, batch_size=2000)
    world.counts.update(
        merchants_abroad=len(created),
        countries_abroad=len({m.country for m in makers}),
        products=len(products),
        variants=len(variants),
        prices=len(prices),
        stores=sum(len(m.marketplaces) for m in makers),
        warehouses=len(warehouses),
    )
    return demo_merchants
