# ruff: noqa: RUF001 - Chinese text uses full-width punctuation by design, names use the en dash
"""Word lists the demo world is composed from: product types per family with their HS
codes, Italian company-name parts, buyer names, category tree, variant schemes.

Every product name exists in Italian, English and Simplified Chinese. A product type's
name is combined with one of its qualifiers, whose patterns hold ``{}`` where the noun
goes ("Giacca {}" + "{} in lana vergine" -> "Giacca in lana vergine"; "virgin wool {}" ->
"Virgin wool jacket"; "初剪羊毛{}" -> "初剪羊毛夹克"). HS codes are 6-digit Harmonized
System 2022 subheadings; a qualifier may override its type's code where the material
changes the subheading (a cashmere sweater is 6110.12, a merino one 6110.11).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    it: str
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class Qualifier:
    it: str  # pattern with "{}" for the noun
    en: str
    zh: str
    hs_code: str = ""  # overrides the type's HS code when set


@dataclass(frozen=True, slots=True)
class ProductType:
    key: str
    category: str  # slug of a leaf in CATEGORY_TREE
    name: Text
    hs_code: str
    price_eur_cents: tuple[int, int]  # retail range, before the variant's multiplier
    variants: str  # key of VARIANT_SCHEMES
    weight_grams: int
    qualifiers: tuple[Qualifier, ...]
    with_collection: bool = False  # add a collection name ("Giacca ... - Portofino")


def q(it: str, en: str, zh: str, hs_code: str = "") -> Qualifier:
    return Qualifier(it, en, zh, hs_code)


# --- category tree (it / en / zh) ------------------------------------------------------
# root slug -> (names, [(child slug, names), ...])
CATEGORY_TREE: dict[str, tuple[Text, list[tuple[str, Text]]]] = {
    "fashion": (
        Text("Moda", "Fashion", "时尚服饰"),
        [
            ("fashion-jackets", Text("Giacche e blazer", "Jackets and blazers", "夹克与西装外套")),
            ("fashion-knitwear", Text("Maglieria", "Knitwear", "针织衫")),
            ("fashion-shirts", Text("Camicie", "Shirts", "衬衫")),
            ("fashion-dresses", Text("Abiti", "Dresses", "连衣裙")),
            ("fashion-trousers", Text("Pantaloni", "Trousers", "长裤")),
            ("fashion-accessories", Text("Foulard e cravatte", "Scarves and ties", "丝巾与领带")),
            ("fashion-eyewear", Text("Occhiali", "Eyewear", "眼镜")),
        ],
    ),
    "leather": (
        Text("Pelletteria e calzature", "Leather goods and shoes", "皮具与鞋履"),
        [
            ("leather-bags", Text("Borse", "Bags", "包袋")),
            ("leather-small", Text("Piccola pelletteria", "Small leather goods", "小皮件")),
            ("leather-shoes", Text("Scarpe", "Shoes", "鞋履")),
        ],
    ),
    "jewellery": (
        Text("Gioielli e orologi", "Jewellery and watches", "珠宝腕表"),
        [
            ("jewellery-gold", Text("Gioielli", "Jewellery", "珠宝首饰")),
            ("jewellery-watches", Text("Orologi", "Watches", "腕表")),
        ],
    ),
    "beauty": (
        Text("Bellezza", "Beauty", "美妆个护"),
        [
            ("beauty-skincare", Text("Cura del viso", "Skincare", "面部护理")),
            ("beauty-fragrance", Text("Profumi", "Fragrances", "香水")),
            ("beauty-makeup", Text("Trucco", "Make-up", "彩妆")),
            ("beauty-body", Text("Corpo e capelli", "Body and hair", "身体与头发护理")),
        ],
    ),
    "food": (
        Text("Alimentari", "Food", "食品"),
        [
            ("food-oil", Text("Olio e aceto", "Oil and vinegar", "橄榄油与醋")),
            ("food-pasta", Text("Pasta", "Pasta", "意大利面")),
            ("food-cheese", Text("Formaggi e salumi", "Cheese and charcuterie", "奶酪与火腿")),
            ("food-pantry", Text("Dispensa", "Pantry staples", "调味与罐头")),
            ("food-sweets", Text("Dolci e caffè", "Sweets and coffee", "甜点与咖啡")),
        ],
    ),
    "wine": (
        Text("Vini e liquori", "Wine and spirits", "酒类"),
        [
            ("wine-red", Text("Vini rossi", "Red wines", "红葡萄酒")),
            ("wine-white", Text("Vini bianchi", "White wines", "白葡萄酒")),
            ("wine-sparkling", Text("Spumanti", "Sparkling wines", "起泡酒")),
            ("wine-spirits", Text("Distillati e liquori", "Spirits and liqueurs", "烈酒与利口酒")),
        ],
    ),
    "home": (
        Text("Casa e design", "Home and design", "家居设计"),
        [
            ("home-furniture", Text("Arredamento", "Furniture", "家具")),
            ("home-lighting", Text("Illuminazione", "Lighting", "灯具")),
            ("home-tableware", Text("Tavola e ceramiche", "Tableware and ceramics", "餐具与陶瓷")),
            ("home-textiles", Text("Tessili per la casa", "Home textiles", "家纺")),
            ("home-glassware", Text("Bicchieri e cristalli", "Glassware", "玻璃器皿")),
        ],
    ),
    "sport": (
        Text("Sport e outdoor", "Sport and outdoor", "运动户外"),
        [
            ("sport-cycling", Text("Ciclismo", "Cycling", "骑行")),
            ("sport-winter", Text("Sport invernali", "Winter sports", "冬季运动")),
            ("sport-outdoor", Text("Outdoor e giochi", "Outdoor and games", "户外与球类")),
        ],
    ),
}

# Collections give fashion, leather, jewellery and design lines a name.
COLLECTIONS: tuple[Text, ...] = (
    Text("Portofino", "Portofino", "波托菲诺"),
    Text("Capri", "Capri", "卡普里"),
    Text("Amalfi", "Amalfi", "阿马尔菲"),
    Text("Positano", "Positano", "波西塔诺"),
    Text("Taormina", "Taormina", "陶尔米纳"),
    Text("Brera", "Brera", "布雷拉"),
    Text("Bellagio", "Bellagio", "贝拉焦"),
    Text("Cortina", "Cortina", "科尔蒂纳"),
    Text("Siena", "Siena", "锡耶纳"),
    Text("Firenze", "Florence", "佛罗伦萨"),
    Text("Venezia", "Venice", "威尼斯"),
    Text("Verona", "Verona", "维罗纳"),
    Text("Como", "Como", "科莫"),
    Text("Sorrento", "Sorrento", "索伦托"),
    Text("Dolomiti", "Dolomites", "多洛米蒂"),
    Text("Riviera", "Riviera", "里维埃拉"),
    Text("Milano", "Milan", "米兰"),
    Text("Roma", "Rome", "罗马"),
    Text("Palermo", "Palermo", "巴勒莫"),
    Text("Torino", "Turin", "都灵"),
)

# --- product types ----------------------------------------------------------------------
WOOL = q("{} in lana vergine", "virgin wool {}", "初剪羊毛{}")

PRODUCT_TYPES: tuple[ProductType, ...] = (
    # fashion
    ProductType(
        "jacket",
        "fashion-jackets",
        Text("Giacca", "jacket", "夹克"),
        "620331",
        (19000, 69000),
        "apparel",
        900,
        (
            WOOL,
            q("{} in flanella di lana", "wool flannel {}", "羊毛法兰绒{}"),
            q("{} in tweed di lana", "wool tweed {}", "羊毛粗花呢{}"),
            q("{} doppiopetto in lana", "double-breasted wool {}", "双排扣羊毛{}"),
            q("{} in cashmere", "cashmere {}", "羊绒{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "blazer",
        "fashion-jackets",
        Text("Blazer donna", "women's blazer", "女士西装外套"),
        "620431",
        (16000, 52000),
        "apparel",
        700,
        (
            WOOL,
            q("{} in crêpe di lana", "wool crêpe {}", "羊毛绉纱{}"),
            q("{} in bouclé di lana", "wool bouclé {}", "羊毛圈圈纱{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "sweater",
        "fashion-knitwear",
        Text("Maglione", "sweater", "毛衣"),
        "611011",
        (9000, 32000),
        "apparel",
        450,
        (
            q("{} in lana merino", "merino wool {}", "美利奴羊毛{}"),
            q("{} girocollo in lana merino", "merino crew-neck {}", "美利奴羊毛圆领{}"),
            q("{} in cashmere", "cashmere {}", "羊绒{}", "611012"),
            q("{} a collo alto in cashmere", "cashmere roll-neck {}", "羊绒高领{}", "611012"),
            q("{} a trecce in lana", "cable-knit wool {}", "羊毛麻花{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "shirt",
        "fashion-shirts",
        Text("Camicia", "shirt", "衬衫"),
        "620520",
        (6500, 19000),
        "apparel",
        300,
        (
            q("{} in popeline di cotone", "cotton poplin {}", "府绸棉{}"),
            q("{} in oxford di cotone", "cotton Oxford {}", "牛津纺棉{}"),
            q("{} in twill di cotone", "cotton twill {}", "斜纹棉{}"),
            q("{} a righe in cotone", "striped cotton {}", "条纹棉{}"),
            q("{} sartoriale in cotone", "tailored cotton {}", "定制棉{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "dress",
        "fashion-dresses",
        Text("Abito", "dress", "连衣裙"),
        "620449",
        (12000, 48000),
        "apparel",
        400,
        (
            q("{} in seta", "silk {}", "真丝{}"),
            q("{} lungo in seta stampata", "printed silk maxi {}", "印花真丝长款{}"),
            q("{} in cotone", "cotton {}", "纯棉{}", "620442"),
            q("{} in crêpe di viscosa", "viscose crêpe {}", "粘胶绉纱{}", "620444"),
        ),
        with_collection=True,
    ),
    ProductType(
        "trousers",
        "fashion-trousers",
        Text("Pantaloni", "trousers", "长裤"),
        "620342",
        (8000, 24000),
        "apparel",
        500,
        (
            q("{} chino in cotone", "cotton chino {}", "棉质卡其{}"),
            q("{} in gabardine di cotone", "cotton gabardine {}", "棉华达呢{}"),
            q("{} in flanella di lana", "wool flannel {}", "羊毛法兰绒{}", "620341"),
            q("{} sartoriali in lana", "tailored wool {}", "定制羊毛{}", "620341"),
        ),
        with_collection=True,
    ),
    ProductType(
        "scarf",
        "fashion-accessories",
        Text("Foulard", "scarf", "丝巾"),
        "621410",
        (6000, 28000),
        "colour",
        80,
        (
            q("{} in seta stampata", "printed silk {}", "印花真丝{}"),
            q("{} in twill di seta", "silk twill {}", "真丝斜纹{}"),
            q("{} in seta di Como", "Como silk {}", "科莫真丝{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "tie",
        "fashion-accessories",
        Text("Cravatta", "tie", "领带"),
        "621510",
        (5500, 16000),
        "colour",
        60,
        (
            q("{} in seta di Como", "Como silk {}", "科莫真丝{}"),
            q("{} in seta jacquard", "silk jacquard {}", "真丝提花{}"),
            q("{} sette pieghe in seta", "seven-fold silk {}", "七折真丝{}"),
        ),
        with_collection=True,
    ),
    # leather goods and shoes
    ProductType(
        "handbag",
        "leather-bags",
        Text("Borsa a mano", "handbag", "手提包"),
        "420221",
        (18000, 95000),
        "colour",
        900,
        (
            q("{} in pelle di vitello", "calfskin {}", "小牛皮{}"),
            q("{} in pelle martellata", "pebbled leather {}", "荔枝纹皮革{}"),
            q("{} in pelle intrecciata", "woven leather {}", "编织皮革{}"),
            q("{} in cuoio conciato al vegetale", "vegetable-tanned leather {}", "植鞣皮革{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "tote",
        "leather-bags",
        Text("Borsa shopper", "tote bag", "托特包"),
        "420221",
        (14000, 62000),
        "colour",
        1000,
        (
            q("{} in pelle di vitello", "calfskin {}", "小牛皮{}"),
            q("{} in pelle saffiano", "saffiano leather {}", "十字纹皮革{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "briefcase",
        "leather-bags",
        Text("Borsa portadocumenti", "briefcase", "公文包"),
        "420211",
        (22000, 78000),
        "colour",
        1400,
        (
            q("{} in cuoio", "leather {}", "皮革{}"),
            q("{} in pelle conciata al vegetale", "vegetable-tanned leather {}", "植鞣皮革{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "wallet",
        "leather-small",
        Text("Portafoglio", "wallet", "钱包"),
        "420231",
        (6000, 24000),
        "colour",
        120,
        (
            q("{} in pelle di vitello", "calfskin {}", "小牛皮{}"),
            q("{} in pelle saffiano", "saffiano leather {}", "十字纹皮革{}"),
            q("{} in cuoio toscano", "Tuscan leather {}", "托斯卡纳皮革{}"),
        ),
    ),
    ProductType(
        "belt",
        "leather-small",
        Text("Cintura", "belt", "腰带"),
        "420330",
        (5000, 18000),
        "belt",
        200,
        (
            q("{} in cuoio", "leather {}", "皮革{}"),
            q("{} reversibile in pelle", "reversible leather {}", "双面皮革{}"),
            q("{} in pelle intrecciata", "braided leather {}", "编织皮革{}"),
        ),
    ),
    ProductType(
        "oxford",
        "leather-shoes",
        Text("Scarpe stringate", "lace-up shoes", "系带皮鞋"),
        "640359",
        (16000, 52000),
        "shoes",
        1100,
        (
            q("{} in vitello spazzolato", "brushed calfskin {}", "擦色小牛皮{}"),
            q("{} Oxford in vitello", "calfskin Oxford {}", "小牛皮牛津{}"),
            q("{} Derby in pelle", "leather Derby {}", "德比皮{}"),
            q("{} Goodyear in pelle", "Goodyear-welted leather {}", "固特异工艺皮{}"),
        ),
    ),
    ProductType(
        "loafers",
        "leather-shoes",
        Text("Mocassini", "loafers", "乐福鞋"),
        "640359",
        (14000, 46000),
        "shoes",
        800,
        (
            q("{} in camoscio", "suede {}", "麂皮{}"),
            q("{} in pelle di vitello", "calfskin {}", "小牛皮{}"),
            q("{} con nappine in pelle", "leather tassel {}", "流苏皮{}"),
        ),
    ),
    ProductType(
        "sneakers",
        "leather-shoes",
        Text("Sneaker", "sneakers", "运动鞋"),
        "640399",
        (11000, 36000),
        "shoes",
        900,
        (
            q("{} in pelle bianca", "white leather {}", "白色皮革{}"),
            q("{} in pelle e camoscio", "leather and suede {}", "皮革拼麂皮{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "ankle-boots",
        "leather-shoes",
        Text("Stivaletti", "ankle boots", "短靴"),
        "640391",
        (17000, 49000),
        "shoes",
        1200,
        (
            q("{} Chelsea in pelle", "leather Chelsea {}", "切尔西皮{}"),
            q("{} in camoscio", "suede {}", "麂皮{}"),
        ),
    ),
    # jewellery and watches
    ProductType(
        "ring",
        "jewellery-gold",
        Text("Anello", "ring", "戒指"),
        "711319",
        (29000, 240000),
        "ring",
        20,
        (
            q("{} in oro giallo 18 carati", "18-carat yellow gold {}", "18K黄金{}"),
            q("{} in oro rosa 18 carati", "18-carat rose gold {}", "18K玫瑰金{}"),
            q("{} in oro bianco con diamante", "white gold diamond {}", "白金镶钻{}"),
            q("{} in argento 925", "sterling silver {}", "925银{}", "711311"),
        ),
        with_collection=True,
    ),
    ProductType(
        "necklace",
        "jewellery-gold",
        Text("Collana", "necklace", "项链"),
        "711319",
        (35000, 280000),
        "metal",
        30,
        (
            q("{} in oro giallo 18 carati", "18-carat yellow gold {}", "18K黄金{}"),
            q("{} in oro rosa con perle", "rose gold pearl {}", "玫瑰金珍珠{}"),
            q("{} in argento 925", "sterling silver {}", "925银{}", "711311"),
        ),
        with_collection=True,
    ),
    ProductType(
        "earrings",
        "jewellery-gold",
        Text("Orecchini", "earrings", "耳环"),
        "711319",
        (24000, 180000),
        "metal",
        15,
        (
            q("{} a cerchio in oro 18 carati", "18-carat gold hoop {}", "18K金圈形{}"),
            q("{} in oro con corallo", "gold and coral {}", "黄金珊瑚{}"),
            q("{} in argento 925", "sterling silver {}", "925银{}", "711311"),
        ),
        with_collection=True,
    ),
    ProductType(
        "bracelet",
        "jewellery-gold",
        Text("Bracciale", "bracelet", "手链"),
        "711311",
        (9000, 60000),
        "metal",
        25,
        (
            q("{} in argento 925", "sterling silver {}", "925银{}"),
            q("{} rigido in argento", "silver bangle {}", "银质手镯{}"),
            q("{} a maglie in oro 18 carati", "18-carat gold chain {}", "18K金链式{}", "711319"),
        ),
        with_collection=True,
    ),
    ProductType(
        "watch",
        "jewellery-watches",
        Text("Orologio automatico", "automatic watch", "自动机械表"),
        "910221",
        (45000, 320000),
        "strap",
        150,
        (
            q("{} in acciaio", "steel {}", "精钢{}"),
            q("{} subacqueo in acciaio", "steel diver's {}", "精钢潜水{}"),
            q("{} cronografo", "chronograph {}", "计时码{}"),
        ),
        with_collection=True,
    ),
    # beauty
    ProductType(
        "face-cream",
        "beauty-skincare",
        Text("Crema viso", "face cream", "面霜"),
        "330499",
        (2400, 9800),
        "cosmetic",
        120,
        (
            q("{} all'acido ialuronico", "hyaluronic acid {}", "玻尿酸{}"),
            q("{} al latte d'asina", "donkey milk {}", "驴奶{}"),
            q("{} all'olio d'oliva", "olive oil {}", "橄榄油{}"),
            q("{} all'uva rossa", "red grape {}", "红葡萄{}"),
            q("{} biologica alla calendula", "organic calendula {}", "有机金盏花{}"),
        ),
    ),
    ProductType(
        "serum",
        "beauty-skincare",
        Text("Siero viso", "face serum", "精华液"),
        "330499",
        (2900, 11000),
        "cosmetic",
        90,
        (
            q("{} alla vitamina C", "vitamin C {}", "维生素C{}"),
            q("{} alla bava di lumaca", "snail mucin {}", "蜗牛{}"),
            q("{} al bergamotto di Calabria", "Calabrian bergamot {}", "卡拉布里亚佛手柑{}"),
        ),
    ),
    ProductType(
        "perfume",
        "beauty-fragrance",
        Text("Eau de parfum", "eau de parfum", "香水"),
        "330300",
        (5500, 21000),
        "perfume",
        350,
        (
            q("{} Fico di Amalfi", "Amalfi fig {}", "阿马尔菲无花果{}"),
            q("{} Zagara di Sicilia", "Sicilian orange blossom {}", "西西里橙花{}"),
            q("{} Iris di Firenze", "Florentine iris {}", "佛罗伦萨鸢尾{}"),
            q("{} Bergamotto e cedro", "bergamot and cedar {}", "佛手柑雪松{}"),
            q("{} Vetiver e cuoio", "vetiver and leather {}", "香根草皮革{}"),
        ),
    ),
    ProductType(
        "lipstick",
        "beauty-makeup",
        Text("Rossetto", "lipstick", "口红"),
        "330410",
        (1800, 4200),
        "shade",
        40,
        (
            q("{} opaco a lunga tenuta", "long-lasting matte {}", "持久哑光{}"),
            q("{} cremoso all'olio di jojoba", "jojoba creamy {}", "荷荷巴滋润{}"),
        ),
    ),
    ProductType(
        "shampoo",
        "beauty-body",
        Text("Shampoo", "shampoo", "洗发水"),
        "330510",
        (1200, 3800),
        "cosmetic",
        300,
        (
            q("{} all'ortica", "nettle {}", "荨麻{}"),
            q("{} all'olio di argan", "argan oil {}", "摩洛哥坚果油{}"),
            q("{} delicato alla camomilla", "gentle chamomile {}", "温和洋甘菊{}"),
        ),
    ),
    ProductType(
        "soap",
        "beauty-body",
        Text("Sapone", "soap bar", "香皂"),
        "340111",
        (600, 2200),
        "pack",
        150,
        (
            q("{} all'olio d'oliva", "olive oil {}", "橄榄油{}"),
            q("{} al latte di capra", "goat milk {}", "山羊奶{}"),
            q("{} alla lavanda", "lavender {}", "薰衣草{}"),
            q("{} al limone di Sorrento", "Sorrento lemon {}", "索伦托柠檬{}"),
        ),
    ),
    # food
    ProductType(
        "olive-oil",
        "food-oil",
        Text("Olio extravergine di oliva", "extra virgin olive oil", "特级初榨橄榄油"),
        "150920",
        (900, 3400),
        "oil",
        1000,
        (
            q("{} DOP Terra di Bari", "Terra di Bari PDO {}", "巴里产区DOP{}"),
            q("{} Toscano IGP", "Tuscan PGI {}", "托斯卡纳IGP{}"),
            q("{} biologico", "organic {}", "有机{}"),
            q("{} monocultivar Coratina", "Coratina single-variety {}", "科拉蒂纳单一品种{}"),
            q("{} di Taggiasca", "Taggiasca {}", "塔贾斯卡{}"),
            q("{} DOP Riviera Ligure", "Riviera Ligure PDO {}", "利古里亚海岸DOP{}"),
            q("{} 100% italiano", "100% Italian {}", "100%意大利{}"),
            q("{} DOP Val di Mazara", "Val di Mazara PDO {}", "马扎拉谷DOP{}"),
        ),
    ),
    ProductType(
        "balsamic",
        "food-oil",
        Text("Aceto balsamico di Modena IGP", "balsamic vinegar of Modena PGI", "摩德纳香醋IGP"),
        "220900",
        (700, 4500),
        "bottle",
        450,
        (
            q("{} invecchiato", "aged {}", "陈酿{}"),
            q("{} biologico", "organic {}", "有机{}"),
            q("{} denso", "thick {}", "浓稠{}"),
        ),
    ),
    ProductType(
        "spaghetti",
        "food-pasta",
        Text("Spaghetti", "spaghetti", "意大利细面"),
        "190219",
        (250, 650),
        "pasta",
        500,
        (
            q("{} di Gragnano IGP", "Gragnano PGI {}", "格拉尼亚诺IGP{}"),
            q("{} trafilati al bronzo", "bronze-drawn {}", "铜模拉制{}"),
            q("{} biologici di grano duro", "organic durum wheat {}", "有机硬粒小麦{}"),
            q("{} integrali", "wholewheat {}", "全麦{}"),
        ),
    ),
    ProductType(
        "paccheri",
        "food-pasta",
        Text("Paccheri", "paccheri", "大通心粉"),
        "190219",
        (280, 700),
        "pasta",
        500,
        (
            q("{} di Gragnano IGP", "Gragnano PGI {}", "格拉尼亚诺IGP{}"),
            q("{} trafilati al bronzo", "bronze-drawn {}", "铜模拉制{}"),
        ),
    ),
    ProductType(
        "orecchiette",
        "food-pasta",
        Text("Orecchiette", "orecchiette", "猫耳朵意面"),
        "190219",
        (260, 620),
        "pasta",
        500,
        (
            q("{} pugliesi", "Apulian {}", "普利亚{}"),
            q("{} di grano arso", "burnt wheat {}", "焦麦{}"),
        ),
    ),
    ProductType(
        "tagliatelle",
        "food-pasta",
        Text("Tagliatelle all'uovo", "egg tagliatelle", "鸡蛋宽面"),
        "190211",
        (320, 780),
        "pasta",
        250,
        (
            q("{} emiliane", "Emilian {}", "艾米利亚{}"),
            q("{} al tartufo", "truffle {}", "松露{}"),
        ),
    ),
    ProductType(
        "parmigiano",
        "food-cheese",
        Text("Parmigiano Reggiano DOP", "Parmigiano Reggiano PDO", "帕尔马干酪DOP"),
        "040690",
        (1400, 4200),
        "cheese",
        1000,
        (
            q("{} stagionato 24 mesi", "24-month aged {}", "24个月陈酿{}"),
            q("{} stagionato 36 mesi", "36-month aged {}", "36个月陈酿{}"),
            q("{} di vacche rosse", "red cow {}", "红牛奶{}"),
            q("{} di montagna", "mountain {}", "高山{}"),
        ),
    ),
    ProductType(
        "pecorino",
        "food-cheese",
        Text("Pecorino", "pecorino", "佩科里诺羊奶酪"),
        "040690",
        (1200, 3600),
        "cheese",
        1000,
        (
            q("{} Romano DOP", "Romano PDO {}", "罗马诺DOP{}"),
            q("{} Toscano DOP", "Tuscan PDO {}", "托斯卡纳DOP{}"),
            q("{} Sardo DOP", "Sardinian PDO {}", "撒丁岛DOP{}"),
        ),
    ),
    ProductType(
        "prosciutto",
        "food-cheese",
        Text("Prosciutto crudo", "cured ham", "风干火腿"),
        "021019",
        (2200, 8900),
        "cheese",
        1000,
        (
            q("{} di Parma DOP", "Parma PDO {}", "帕尔马DOP{}"),
            q("{} San Daniele DOP", "San Daniele PDO {}", "圣丹尼尔DOP{}"),
            q("{} stagionato 24 mesi", "24-month aged {}", "24个月熟成{}"),
        ),
    ),
    ProductType(
        "passata",
        "food-pantry",
        Text("Passata di pomodoro", "tomato passata", "番茄泥"),
        "200290",
        (250, 600),
        "jar",
        700,
        (
            q("{} di San Marzano", "San Marzano {}", "圣马扎诺{}"),
            q("{} di pomodorino datterino", "datterino {}", "小枣番茄{}"),
            q("{} biologica", "organic {}", "有机{}"),
        ),
    ),
    ProductType(
        "pesto",
        "food-pantry",
        Text("Pesto alla genovese", "Genoese pesto", "热那亚青酱"),
        "210390",
        (450, 1200),
        "jar",
        200,
        (
            q("{} con basilico DOP", "PDO basil {}", "DOP罗勒{}"),
            q("{} senz'aglio", "garlic-free {}", "无蒜{}"),
            q("{} biologico", "organic {}", "有机{}"),
        ),
    ),
    ProductType(
        "truffle",
        "food-pantry",
        Text("Tartufo nero", "black truffle", "黑松露"),
        "200390",
        (1800, 9500),
        "jar",
        100,
        (
            q("{} estivo in salamoia", "summer {} in brine", "盐水夏季{}"),
            q("{} pregiato di Norcia", "Norcia {}", "诺尔恰{}"),
            q("Crema di {}", "{} cream", "{}酱"),
        ),
    ),
    ProductType(
        "coffee",
        "food-sweets",
        Text("Caffè in grani", "coffee beans", "咖啡豆"),
        "090121",
        (900, 3200),
        "coffee",
        1000,
        (
            q("{} miscela espresso", "espresso blend {}", "意式浓缩拼配{}"),
            q("{} 100% arabica", "100% Arabica {}", "100%阿拉比卡{}"),
            q("{} tostato a legna", "wood-roasted {}", "木柴烘焙{}"),
        ),
    ),
    ProductType(
        "chocolate",
        "food-sweets",
        Text("Cioccolato fondente", "dark chocolate", "黑巧克力"),
        "180632",
        (350, 1500),
        "pack",
        100,
        (
            q("{} di Modica IGP", "Modica PGI {}", "莫迪卡IGP{}"),
            q("{} 70% con nocciole del Piemonte", "70% Piedmont hazelnut {}", "皮埃蒙特榛子70%{}"),
            q("{} extra 85%", "85% extra {}", "85%特浓{}"),
        ),
    ),
    ProductType(
        "gianduiotti",
        "food-sweets",
        Text("Gianduiotti", "gianduiotti chocolates", "詹杜佳榛子巧克力"),
        "180690",
        (900, 3200),
        "box",
        250,
        (
            q("{} di Torino", "Turin {}", "都灵{}"),
            q("{} al latte", "milk {}", "牛奶{}"),
        ),
    ),
    ProductType(
        "cantucci",
        "food-sweets",
        Text("Cantucci", "cantucci biscuits", "意式杏仁脆饼"),
        "190531",
        (450, 1400),
        "pack",
        300,
        (
            q("{} toscani alle mandorle", "Tuscan almond {}", "托斯卡纳杏仁{}"),
            q("{} al cioccolato", "chocolate {}", "巧克力{}"),
        ),
    ),
    ProductType(
        "panettone",
        "food-sweets",
        Text("Panettone", "panettone", "潘妮托尼面包"),
        "190590",
        (1800, 4900),
        "box",
        1000,
        (
            q("{} artigianale", "artisan {}", "手工{}"),
            q("{} al pistacchio di Bronte", "Bronte pistachio {}", "布龙泰开心果{}"),
            q("{} classico milanese", "classic Milanese {}", "经典米兰{}"),
        ),
    ),
    ProductType(
        "honey",
        "food-pantry",
        Text("Miele", "honey", "蜂蜜"),
        "040900",
        (700, 2400),
        "jar",
        500,
        (
            q("{} di castagno", "chestnut {}", "栗花{}"),
            q("{} di acacia biologico", "organic acacia {}", "有机洋槐{}"),
            q("{} di zagara", "orange blossom {}", "橙花{}"),
            q("{} millefiori di montagna", "mountain wildflower {}", "高山百花{}"),
        ),
    ),
    # wine and spirits
    ProductType(
        "red-wine",
        "wine-red",
        Text("Vino rosso", "red wine", "红葡萄酒"),
        "220421",
        (1100, 9500),
        "wine",
        1300,
        (
            q("Chianti Classico DOCG", "Chianti Classico DOCG", "经典基安蒂DOCG"),
            q("Barolo DOCG", "Barolo DOCG", "巴罗洛DOCG"),
            q("Brunello di Montalcino DOCG", "Brunello di Montalcino DOCG", "蒙塔奇诺布鲁奈罗DOCG"),
            q(
                "Amarone della Valpolicella DOCG",
                "Amarone della Valpolicella DOCG",
                "瓦坡里切拉阿玛罗尼DOCG",
            ),
            q("Primitivo di Manduria DOP", "Primitivo di Manduria PDO", "曼杜里亚普里米蒂沃DOP"),
            q("Nero d'Avola DOC", "Nero d'Avola DOC", "黑珍珠DOC"),
            q(
                "Montepulciano d'Abruzzo DOC",
                "Montepulciano d'Abruzzo DOC",
                "阿布鲁佐蒙特布查诺DOC",
            ),
            q("Barbera d'Asti DOCG", "Barbera d'Asti DOCG", "阿斯蒂巴贝拉DOCG"),
            q("Aglianico del Vulture DOC", "Aglianico del Vulture DOC", "武尔图雷艾格尼科DOC"),
            q("Cannonau di Sardegna DOC", "Cannonau di Sardegna DOC", "撒丁岛卡诺娜DOC"),
            q(
                "Sagrantino di Montefalco DOCG",
                "Sagrantino di Montefalco DOCG",
                "蒙特法尔科萨格兰蒂诺DOCG",
            ),
            q("Lagrein Alto Adige DOC", "Alto Adige Lagrein DOC", "上阿迪杰勒格瑞纳DOC"),
        ),
    ),
    ProductType(
        "white-wine",
        "wine-white",
        Text("Vino bianco", "white wine", "白葡萄酒"),
        "220421",
        (900, 4500),
        "wine",
        1300,
        (
            q("Vermentino di Sardegna DOC", "Vermentino di Sardegna DOC", "撒丁岛维蒙蒂诺DOC"),
            q("Soave Classico DOC", "Soave Classico DOC", "经典苏瓦韦DOC"),
            q(
                "Verdicchio dei Castelli di Jesi DOC",
                "Verdicchio dei Castelli di Jesi DOC",
                "耶西城堡维蒂奇诺DOC",
            ),
            q("Fiano di Avellino DOCG", "Fiano di Avellino DOCG", "阿韦利诺菲亚诺DOCG"),
            q("Friulano Collio DOC", "Collio Friulano DOC", "科利奥弗留利DOC"),
            q(
                "Gewürztraminer Alto Adige DOC",
                "Alto Adige Gewürztraminer DOC",
                "上阿迪杰琼瑶浆DOC",
            ),
        ),
    ),
    ProductType(
        "sparkling",
        "wine-sparkling",
        Text("Spumante", "sparkling wine", "起泡酒"),
        "220410",
        (1000, 6500),
        "wine",
        1500,
        (
            q("Prosecco Superiore DOCG", "Prosecco Superiore DOCG", "超级普罗塞克DOCG"),
            q("Franciacorta DOCG", "Franciacorta DOCG", "弗朗齐亚柯达DOCG"),
            q("Asti DOCG", "Asti DOCG", "阿斯蒂DOCG"),
            q("Trento DOC metodo classico", "Trento DOC traditional-method", "特伦托DOC传统法"),
            q("Lambrusco di Sorbara DOC", "Lambrusco di Sorbara DOC", "索巴拉蓝布鲁斯科DOC"),
        ),
    ),
    ProductType(
        "grappa",
        "wine-spirits",
        Text("Grappa", "grappa", "格拉帕酒"),
        "220820",
        (1800, 6800),
        "spirit",
        1100,
        (
            q("{} di Barolo", "Barolo {}", "巴罗洛{}"),
            q("{} barricata", "barrel-aged {}", "橡木桶陈酿{}"),
            q("{} di Amarone", "Amarone {}", "阿玛罗尼{}"),
            q("{} bianca di Prosecco", "Prosecco {}", "普罗塞克{}"),
        ),
    ),
    ProductType(
        "limoncello",
        "wine-spirits",
        Text("Limoncello", "limoncello", "柠檬酒"),
        "220870",
        (1200, 3200),
        "spirit",
        900,
        (
            q("{} di Sorrento", "Sorrento {}", "索伦托{}"),
            q("{} della Costiera Amalfitana", "Amalfi Coast {}", "阿马尔菲海岸{}"),
        ),
    ),
    # home and design
    ProductType(
        "chair",
        "home-furniture",
        Text("Sedia", "chair", "椅子"),
        "940169",
        (19000, 89000),
        "finish",
        6000,
        (
            q("{} in noce canaletto", "American walnut {}", "美国黑胡桃木{}"),
            q("{} in rovere massello", "solid oak {}", "实木橡木{}"),
            q("{} in frassino curvato", "bent ash {}", "弯曲白蜡木{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "armchair",
        "home-furniture",
        Text("Poltrona", "armchair", "扶手椅"),
        "940161",
        (69000, 290000),
        "finish",
        22000,
        (
            q("{} imbottita in velluto", "upholstered velvet {}", "丝绒软包{}"),
            q("{} in pelle e noce", "leather and walnut {}", "皮革胡桃木{}"),
            q("{} lounge in bouclé", "bouclé lounge {}", "圈圈纱休闲{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "table",
        "home-furniture",
        Text("Tavolo da pranzo", "dining table", "餐桌"),
        "940360",
        (89000, 420000),
        "finish",
        45000,
        (
            q("{} in noce canaletto", "American walnut {}", "美国黑胡桃木{}"),
            q("{} in rovere massello", "solid oak {}", "实木橡木{}"),
            q("{} allungabile in frassino", "extendable ash {}", "可伸缩白蜡木{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "bookcase",
        "home-furniture",
        Text("Libreria", "bookcase", "书柜"),
        "940360",
        (59000, 260000),
        "finish",
        38000,
        (
            q("{} modulare in rovere", "modular oak {}", "模块化橡木{}"),
            q("{} a parete in noce", "walnut wall {}", "胡桃木壁挂{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "table-lamp",
        "home-lighting",
        Text("Lampada da tavolo", "table lamp", "台灯"),
        "940521",
        (12000, 69000),
        "lamp",
        2500,
        (
            q("{} in ottone", "brass {}", "黄铜{}"),
            q("{} in vetro soffiato di Murano", "Murano blown-glass {}", "穆拉诺吹制玻璃{}"),
            q("{} in marmo di Carrara", "Carrara marble {}", "卡拉拉大理石{}"),
            q("{} LED orientabile", "adjustable LED {}", "可调LED{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "dinner-set",
        "home-tableware",
        Text("Servizio di piatti", "dinner set", "餐具套装"),
        "691200",
        (9000, 42000),
        "tableware",
        8000,
        (
            q("{} in ceramica di Deruta", "Deruta ceramic {}", "德鲁塔陶瓷{}"),
            q(
                "{} in ceramica di Vietri dipinta a mano",
                "hand-painted Vietri {}",
                "维耶特里手绘{}",
            ),
            q("{} in ceramica di Caltagirone", "Caltagirone ceramic {}", "卡尔塔吉罗内陶瓷{}"),
            q("{} in porcellana bianca", "white porcelain {}", "白瓷{}", "691110"),
        ),
    ),
    ProductType(
        "vase",
        "home-tableware",
        Text("Vaso", "vase", "花瓶"),
        "701399",
        (6000, 59000),
        "colour",
        1800,
        (
            q("{} in vetro di Murano", "Murano glass {}", "穆拉诺玻璃{}"),
            q("{} in vetro soffiato a mano", "hand-blown glass {}", "手工吹制玻璃{}"),
            q("{} in ceramica smaltata", "glazed ceramic {}", "釉面陶瓷{}", "691390"),
        ),
        with_collection=True,
    ),
    ProductType(
        "bed-linen",
        "home-textiles",
        Text("Completo letto", "bed linen set", "床品套件"),
        "630231",
        (9000, 38000),
        "bed",
        2200,
        (
            q("{} in percalle di cotone", "cotton percale {}", "纯棉密织{}"),
            q("{} in raso di cotone", "cotton sateen {}", "纯棉贡缎{}"),
            q("{} in lino lavato", "washed linen {}", "水洗亚麻{}", "630239"),
        ),
        with_collection=True,
    ),
    # sport
    ProductType(
        "road-bike",
        "sport-cycling",
        Text("Bicicletta da corsa", "road bike", "公路自行车"),
        "871200",
        (149000, 690000),
        "frame",
        8000,
        (
            q("{} in carbonio", "carbon {}", "碳纤维{}"),
            q("{} in acciaio Columbus", "Columbus steel {}", "哥伦布钢管{}"),
            q("{} gravel in alluminio", "aluminium gravel {}", "铝合金砾石{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "cycling-jersey",
        "sport-cycling",
        Text("Maglia da ciclismo", "cycling jersey", "骑行服"),
        "611030",
        (6500, 18000),
        "apparel",
        180,
        (
            q("{} aerodinamica", "aero {}", "空气动力学{}"),
            q("{} in lana merino", "merino {}", "美利奴羊毛{}", "611011"),
            q("{} a maniche lunghe", "long-sleeve {}", "长袖{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "helmet",
        "sport-cycling",
        Text("Casco da bici", "bike helmet", "自行车头盔"),
        "650610",
        (8000, 29000),
        "helmet",
        300,
        (
            q("{} aerodinamico", "aero {}", "空气动力学{}"),
            q("{} ventilato", "ventilated {}", "透气{}"),
        ),
    ),
    ProductType(
        "ski-boots",
        "sport-winter",
        Text("Scarponi da sci", "ski boots", "滑雪靴"),
        "640212",
        (24000, 69000),
        "ski-boot",
        3800,
        (
            q("{} da pista", "piste {}", "雪道{}"),
            q("{} da scialpinismo", "touring {}", "登山滑雪{}"),
        ),
    ),
    ProductType(
        "skis",
        "sport-winter",
        Text("Sci", "skis", "滑雪板"),
        "950611",
        (39000, 99000),
        "ski",
        3500,
        (
            q("{} da slalom", "slalom {}", "回转{}"),
            q("{} all mountain", "all-mountain {}", "全山地{}"),
            q("{} freeride", "freeride {}", "自由式{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "hiking-boots",
        "sport-outdoor",
        Text("Scarpe da trekking", "hiking boots", "登山鞋"),
        "640391",
        (14000, 34000),
        "shoes",
        1400,
        (
            q("{} impermeabili in pelle", "waterproof leather {}", "防水皮革{}"),
            q("{} alte in nabuk", "high-cut nubuck {}", "高帮磨砂皮{}"),
        ),
    ),
    ProductType(
        "football",
        "sport-outdoor",
        Text("Pallone da calcio", "football", "足球"),
        "950662",
        (2500, 14000),
        "ball",
        430,
        (
            q("{} cucito a mano", "hand-stitched {}", "手工缝制{}"),
            q("{} da competizione", "match {}", "比赛用{}"),
        ),
    ),
    ProductType(
        "tennis-racket",
        "sport-outdoor",
        Text("Racchetta da tennis", "tennis racket", "网球拍"),
        "950651",
        (9000, 26000),
        "grip",
        300,
        (
            q("{} in grafite", "graphite {}", "石墨{}"),
            q("{} da torneo", "tour {}", "职业{}"),
        ),
    ),
    ProductType(
        "table-linen",
        "home-textiles",
        Text("Tovaglia", "tablecloth", "桌布"),
        "630251",
        (4500, 19000),
        "table",
        900,
        (
            q("{} in cotone jacquard", "cotton jacquard {}", "提花棉{}"),
            q("{} ricamata a mano", "hand-embroidered {}", "手工刺绣{}"),
            q("{} in lino", "linen {}", "亚麻{}", "630259"),
        ),
        with_collection=True,
    ),
    ProductType(
        "bath-towel",
        "home-textiles",
        Text("Telo bagno", "bath towel", "浴巾"),
        "630260",
        (2500, 9000),
        "pack",
        700,
        (
            q("{} in spugna di cotone", "cotton terry {}", "纯棉毛圈{}"),
            q("{} in spugna di cotone egiziano", "Egyptian cotton {}", "埃及棉{}"),
        ),
    ),
    ProductType(
        "wine-glasses",
        "home-glassware",
        Text("Calici da vino", "wine glasses", "葡萄酒杯"),
        "701328",
        (3500, 18000),
        "glassware",
        1200,
        (
            q("{} soffiati a bocca", "mouth-blown {}", "口吹{}"),
            q("{} in cristallo", "lead crystal {}", "铅水晶{}", "701322"),
            q("{} in vetro di Murano", "Murano glass {}", "穆拉诺玻璃{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "sunglasses",
        "fashion-eyewear",
        Text("Occhiali da sole", "sunglasses", "太阳镜"),
        "900410",
        (9000, 36000),
        "lens",
        60,
        (
            q("{} in acetato", "acetate {}", "醋酸纤维{}"),
            q("{} in titanio", "titanium {}", "钛金属{}"),
            q("{} polarizzati", "polarised {}", "偏光{}"),
            q("{} in corno di bufalo", "buffalo horn {}", "水牛角{}"),
        ),
        with_collection=True,
    ),
    ProductType(
        "optical-frame",
        "fashion-eyewear",
        Text("Montatura da vista", "optical frame", "光学镜架"),
        "900311",
        (8000, 29000),
        "frame-colour",
        30,
        (
            q("{} in acetato di cellulosa", "cellulose acetate {}", "醋酸纤维{}"),
            q("{} in titanio", "titanium {}", "钛金属{}", "900319"),
            q("{} in legno e titanio", "wood and titanium {}", "木质钛金属{}", "900319"),
        ),
        with_collection=True,
    ),
)


# --- profiles: the kinds of company the demo creates, each in a merchants.Sector ---------
@dataclass(frozen=True, slots=True)
class SectorSeed:
    """A ``merchants.Sector`` row as the merchants migration 0002 creates it; the demo
    creates the row itself only where it is missing (test databases built without
    migrations)."""

    slug: str
    name: str  # English
    ateco_codes: tuple[str, ...]
    name_it: str
    name_zh: str


SECTOR_SEEDS: tuple[SectorSeed, ...] = (
    SectorSeed("fashion", "Fashion", ("13", "14", "15"), "Moda", "时尚服饰"),
    SectorSeed(
        "luxury", "Luxury goods", ("14.24", "15.12", "26.52", "32.12"), "Beni di lusso", "奢侈品"
    ),
    SectorSeed("food-wine", "Food & wine", ("01", "10", "11"), "Enogastronomia", "美食与葡萄酒"),
    SectorSeed(
        "cosmetics", "Cosmetics & fragrances", ("20.42",), "Cosmetici e profumi", "化妆品与香水"
    ),
    SectorSeed(
        "design-furniture",
        "Design & furniture",
        ("31", "23.41", "23.13", "27.40"),
        "Design e arredamento",
        "设计与家具",
    ),
    SectorSeed("sport", "Sport & outdoor", ("32.30", "30.92"), "Sport e outdoor", "运动与户外"),
    SectorSeed("jewellery", "Jewellery", ("32.12", "32.13"), "Gioielleria", "珠宝首饰"),
    SectorSeed("eyewear", "Eyewear", ("32.50.30", "32.50.40"), "Occhialeria", "眼镜"),
    SectorSeed("home-textiles", "Home textiles", ("13.92",), "Tessile per la casa", "家纺"),
    SectorSeed(
        "wine-spirits", "Wine & spirits", ("11.01", "11.02"), "Vini e distillati", "葡萄酒与烈酒"
    ),
    SectorSeed(
        "ceramics-glass", "Ceramics & glass", ("23.1", "23.4"), "Ceramica e vetro", "陶瓷与玻璃"
    ),
)


@dataclass(frozen=True, slots=True)
class Profile:
    """A kind of company: the sectors it is filed under (first = main), the product
    types it sells, its ATECO 2025 activity codes and the trade words of its name."""

    key: str
    sectors: tuple[str, ...]
    product_types: tuple[str, ...]
    ateco_codes: tuple[str, ...]
    activity_words: tuple[str, ...]
    weight: int  # how common among Italian exporters on such marketplaces
    price_percent: int = 100  # luxury lines cost more than the same type elsewhere


PROFILES: tuple[Profile, ...] = (
    Profile(
        "apparel",
        ("fashion",),
        ("jacket", "blazer", "sweater", "shirt", "dress", "trousers", "scarf", "tie"),
        ("14.21.10", "14.21.20", "14.10.20", "14.29.00", "13.20.00"),
        ("Maglificio", "Confezioni", "Sartoria", "Tessuti", "Moda", "Lanificio", "Setificio"),
        16,
    ),
    Profile(
        "leather",
        ("fashion",),
        (
            "handbag",
            "tote",
            "briefcase",
            "wallet",
            "belt",
            "oxford",
            "loafers",
            "sneakers",
            "ankle-boots",
        ),
        ("15.12.00", "15.20.10", "15.11.00"),
        ("Pelletteria", "Calzaturificio", "Conceria", "Borse", "Calzature"),
        11,
    ),
    Profile(
        "luxury",
        ("luxury", "fashion"),
        (
            "handbag",
            "briefcase",
            "ring",
            "necklace",
            "earrings",
            "watch",
            "scarf",
            "sweater",
            "jacket",
        ),
        ("15.12.00", "14.24.00", "32.12.20", "26.52.00"),
        ("Maison", "Atelier", "Manifattura", "Casa"),
        5,
        260,
    ),
    Profile(
        "jewellery",
        ("jewellery",),
        ("ring", "necklace", "earrings", "bracelet", "watch"),
        ("32.12.20", "32.12.10", "32.13.00"),
        ("Oreficeria", "Gioielleria", "Gioielli", "Argenteria"),
        6,
    ),
    Profile(
        "cosmetics",
        ("cosmetics",),
        ("face-cream", "serum", "perfume", "lipstick", "shampoo", "soap"),
        ("20.42.00",),
        ("Cosmetici", "Laboratorio", "Profumeria", "Officina", "Erboristeria"),
        9,
    ),
    Profile(
        "food",
        ("food-wine",),
        (
            "olive-oil",
            "balsamic",
            "spaghetti",
            "paccheri",
            "orecchiette",
            "tagliatelle",
            "parmigiano",
            "pecorino",
            "prosciutto",
            "passata",
            "pesto",
            "truffle",
            "coffee",
            "chocolate",
            "gianduiotti",
            "cantucci",
            "panettone",
            "honey",
        ),
        (
            "10.41.10",
            "10.73.02",
            "10.51.20",
            "10.13.00",
            "10.82.00",
            "10.39.00",
            "10.83.02",
            "10.84.00",
        ),
        (
            "Oleificio",
            "Pastificio",
            "Caseificio",
            "Salumificio",
            "Frantoio",
            "Dolciaria",
            "Torrefazione",
            "Conserve",
            "Fattoria",
        ),
        22,
    ),
    Profile(
        "wine",
        ("wine-spirits", "food-wine"),
        ("red-wine", "white-wine", "sparkling", "grappa", "limoncello"),
        ("11.02.10", "11.02.20", "11.01.00"),
        ("Cantina", "Tenuta", "Cantine", "Vigneti", "Distilleria"),
        12,
    ),
    Profile(
        "design",
        ("design-furniture",),
        ("chair", "armchair", "table", "bookcase", "table-lamp"),
        ("31.00.31", "31.00.34", "31.00.20", "27.40.09"),
        ("Mobilificio", "Arredamenti", "Design", "Illuminazione"),
        8,
    ),
    Profile(
        "ceramics",
        ("ceramics-glass", "design-furniture"),
        ("dinner-set", "vase", "wine-glasses"),
        ("23.41.00", "23.13.00"),
        ("Ceramiche", "Vetreria", "Maioliche", "Cristalleria"),
        4,
    ),
    Profile(
        "textiles",
        ("home-textiles",),
        ("bed-linen", "table-linen", "bath-towel"),
        ("13.92.10", "13.92.20"),
        ("Tessitura", "Lanificio", "Biancheria", "Linificio"),
        3,
    ),
    Profile(
        "sport",
        ("sport",),
        (
            "road-bike",
            "cycling-jersey",
            "helmet",
            "ski-boots",
            "skis",
            "hiking-boots",
            "football",
            "tennis-racket",
        ),
        ("32.30.09", "32.30.01", "30.92.10"),
        ("Sport", "Cicli", "Outdoor", "Attrezzature Sportive"),
        5,
    ),
    Profile(
        "eyewear",
        ("eyewear",),
        ("sunglasses", "optical-frame"),
        ("32.50.30", "32.50.40"),
        ("Occhialeria", "Ottica", "Occhiali"),
        3,
    ),
)

# Where each kind of company is strong: region -> extra weight per profile (industrial
# districts: Prato and Biella wool, the Marche shoes, Arezzo and Vicenza gold, Belluno
# eyewear, Langhe and Chianti wine, Sassuolo and Deruta ceramics, Brianza furniture).
REGION_PROFILE_BONUS: dict[str, dict[str, int]] = {
    "IT-25": {"apparel": 12, "design": 14, "luxury": 8, "cosmetics": 8, "textiles": 4},
    "IT-52": {"apparel": 12, "leather": 16, "wine": 16, "jewellery": 8, "food": 6},
    "IT-34": {"wine": 14, "eyewear": 20, "sport": 10, "jewellery": 8, "leather": 6},
    "IT-45": {"food": 24, "ceramics": 10, "design": 4, "cosmetics": 4},
    "IT-21": {"wine": 16, "food": 10, "apparel": 8, "textiles": 8},
    "IT-57": {"leather": 26, "design": 6},
    "IT-72": {"food": 20, "apparel": 8, "cosmetics": 6, "ceramics": 6, "leather": 4},
    "IT-75": {"food": 24, "wine": 10, "apparel": 4},
    "IT-82": {"food": 18, "wine": 16, "ceramics": 6, "cosmetics": 4},
    "IT-62": {"apparel": 8, "luxury": 8, "cosmetics": 8, "jewellery": 4},
    "IT-42": {"food": 14, "design": 6},
    "IT-32": {"wine": 12, "sport": 16, "food": 10},
    "IT-36": {"design": 16, "food": 10, "wine": 8},
    "IT-88": {"food": 16, "wine": 12, "jewellery": 4, "textiles": 4},
    "IT-65": {"food": 14, "wine": 12},
    "IT-78": {"food": 18, "cosmetics": 8},
    "IT-55": {"apparel": 12, "food": 12, "ceramics": 10, "wine": 6},
    "IT-77": {"food": 16, "wine": 8, "design": 4},
    "IT-23": {"food": 10, "wine": 8, "sport": 10},
    "IT-67": {"food": 18, "wine": 6},
}

# Share of Italian GDP per region (ISTAT, rounded, per mille): more companies where the
# economy is larger; every region still gets at least one merchant.
REGION_WEIGHTS: dict[str, int] = {
    "IT-25": 222,
    "IT-62": 111,
    "IT-34": 93,
    "IT-45": 92,
    "IT-21": 76,
    "IT-52": 68,
    "IT-72": 64,
    "IT-82": 51,
    "IT-75": 43,
    "IT-42": 28,
    "IT-32": 28,
    "IT-57": 24,
    "IT-36": 23,
    "IT-88": 20,
    "IT-65": 19,
    "IT-78": 19,
    "IT-55": 13,
    "IT-77": 7,
    "IT-67": 4,
    "IT-23": 3,
}

# --- company names ------------------------------------------------------------------------
SURNAMES: tuple[str, ...] = (
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Angelo",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
    "Messina",
    "Sala",
    "De Angelis",
    "Gatti",
    "Pellegrini",
    "Palumbo",
    "Sanna",
    "Farina",
    "Rizzi",
    "Monti",
    "Cattaneo",
    "Morelli",
    "Amato",
    "Silvestri",
    "Mazza",
    "Testa",
    "Grassi",
    "Pellegrino",
    "Carbone",
    "Giuliani",
    "Benedetti",
    "Barone",
    "Rossetti",
    "Caputo",
    "Montanari",
    "Guerra",
    "Palmieri",
    "Bernardi",
    "Martino",
    "Fiore",
    "De Rosa",
    "Ferretti",
    "Bellini",
    "Basile",
    "Riva",
    "Donati",
    "Piras",
    "Vitali",
    "Battaglia",
    "Sartori",
    "Neri",
    "Costantini",
    "Milani",
    "Pagano",
    "Ruggiero",
    "Sorrentino",
    "D'Amico",
    "Orlando",
    "Damico",
    "Negri",
    "Brambilla",
    "Zanetti",
    "Bonetti",
    "Zanella",
    "Pozzi",
    "Bertolini",
    "Sartor",
    "Tognon",
    "Gasparini",
    "Perin",
    "Bortolin",
    "Cocco",
    "Melis",
    "Mura",
    "Lai",
    "Deiana",
    "Ruggeri",
    "Tedesco",
    "Cirillo",
    "Iannone",
    "Lo Russo",
    "Scuderi",
    "Lo Presti",
    "Bonanno",
    "Gambino",
    "Oberhofer",
    "Gruber",
    "Pichler",
    "Hofer",
    "Furlan",
    "Visintin",
    "Cerutti",
    "Ghirardi",
    "Borgna",
    "Chiesa",
    "Bassi",
    "Venturi",
    "Lucchesi",
    "Nardi",
    "Pieri",
    "Baldini",
    "Innocenti",
    "Tosi",
    "Corsi",
    "Paoletti",
    "Cesaroni",
    "Pieroni",
    "Santini",
    "Bartolini",
    "Galeazzi",
    "Di Marco",
    "D'Alessandro",
    "Di Giacomo",
    "Colella",
    "Lucarelli",
    "Guarino",
    "Vaccaro",
    "Esposto",
)

# Legal forms with their weights; S.p.A. only for large companies.
LEGAL_FORMS_SME: tuple[tuple[str, int], ...] = (
    ("S.r.l.", 62),
    ("S.r.l.s.", 6),
    ("S.n.c.", 14),
    ("S.a.s.", 12),
    ("Società Agricola S.r.l.", 0),
)
LEGAL_FORMS_LARGE: tuple[tuple[str, int], ...] = (("S.p.A.", 80), ("S.r.l.", 20))

# --- buyers -----------------------------------------------------------------------------
# country -> (weight, buyer kind mix: percent business, first names, last names)
BUYER_COUNTRIES: dict[str, tuple[int, int, tuple[str, ...], tuple[str, ...]]] = {
    "CN": (
        34,
        10,
        (
            "Wei",
            "Fang",
            "Min",
            "Jing",
            "Lei",
            "Yang",
            "Xiaoming",
            "Li",
            "Hui",
            "Qiang",
            "Yan",
            "Na",
            "Jun",
            "Ting",
            "Hao",
            "Xin",
        ),
        (
            "Wang",
            "Li",
            "Zhang",
            "Liu",
            "Chen",
            "Yang",
            "Huang",
            "Zhao",
            "Wu",
            "Zhou",
            "Xu",
            "Sun",
            "Ma",
            "Zhu",
            "Hu",
            "Guo",
        ),
    ),
    "SG": (
        7,
        20,
        ("Wei Ling", "Jun Jie", "Hui Min", "Siti", "Arjun", "Rachel", "Daniel"),
        ("Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua"),
    ),
    "ID": (
        7,
        10,
        ("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Ayu"),
        ("Santoso", "Wijaya", "Saputra", "Rahayu", "Hidayat", "Kusuma", "Pratama"),
    ),
    "MY": (
        6,
        15,
        ("Ahmad", "Nurul", "Wei Jie", "Mei Ling", "Aisyah", "Hafiz", "Kavitha"),
        ("Ismail", "Abdullah", "Tan", "Lim", "Rahman", "Chong", "Raj"),
    ),
    "PH": (
        5,
        10,
        ("Maria", "Jose", "Juan", "Ana", "Mark", "Kristine", "Paolo"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Ramos"),
    ),
    "TH": (
        5,
        10,
        ("Somchai", "Siriporn", "Nattapong", "Ploy", "Kittisak", "Malee"),
        ("Wongsakul", "Srisuk", "Chaiyaporn", "Rattanakorn", "Saetang", "Boonmee"),
    ),
    "VN": (
        5,
        10,
        ("An", "Mai", "Linh", "Minh", "Huong", "Tuan", "Lan", "Duc"),
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang"),
    ),
    "US": (
        7,
        70,
        ("James", "Emily", "Michael", "Sarah", "David", "Jessica", "Robert"),
        ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor"),
    ),
    "DE": (
        4,
        70,
        ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Laura"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner"),
    ),
    "FR": (
        3,
        70,
        ("Louis", "Camille", "Hugo", "Chloé", "Lucas", "Manon"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit"),
    ),
    "GB": (
        3,
        70,
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Emily"),
        ("Smith", "Jones", "Williams", "Taylor", "Davies", "Evans"),
    ),
    "AE": (
        3,
        80,
        ("Mohammed", "Fatima", "Omar", "Aisha", "Khalid", "Mariam"),
        ("Al Mansouri", "Al Hashimi", "Al Nuaimi", "Al Suwaidi", "Haddad"),
    ),
    "JP": (
        3,
        60,
        ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito"),
    ),
    "KR": (
        3,
        60,
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun"),
        ("Kim", "Lee", "Park", "Choi", "Jung"),
    ),
    "AU": (
        2,
        60,
        ("Jack", "Charlotte", "William", "Olivia", "Noah"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson"),
    ),
    "CA": (
        2,
        60,
        ("Liam", "Emma", "Ethan", "Sophie", "Noah"),
        ("Tremblay", "Smith", "Roy", "Gagnon", "Wilson"),
    ),
    "BR": (
        2,
        70,
        ("João", "Ana", "Pedro", "Mariana", "Lucas"),
        ("Silva", "Santos", "Oliveira", "Souza", "Costa"),
    ),
}

BUSINESS_WORDS: tuple[str, ...] = (
    "Trading",
    "Imports",
    "Gourmet",
    "Living",
    "Retail",
    "Distribution",
    "Boutique",
    "Foods",
    "Interiors",
    "Selection",
)

# --- variant schemes: (label, attributes, price percent, weight percent) -----------------
VariantOption = tuple[str, dict[str, str], int, int]

_SIZES = ("S", "M", "L", "XL")
_COLOURS = (
    "Navy",
    "Black",
    "Charcoal",
    "Camel",
    "Ivory",
    "Forest green",
    "Burgundy",
    "Tan",
    "Cognac",
    "Sky blue",
)


def _apparel() -> list[VariantOption]:
    return [
        (f"{s} / {c}", {"size": s, "colour": c.lower()}, 100, 100)
        for c in _COLOURS[:6]
        for s in _SIZES
    ]


VARIANT_SCHEMES: dict[str, list[VariantOption]] = {
    "apparel": _apparel(),
    "colour": [(c, {"colour": c.lower()}, 100, 100) for c in _COLOURS],
    "belt": [
        (f"{w} cm / {c}", {"length_cm": w, "colour": c.lower()}, 100, 100)
        for c in ("Black", "Cognac", "Tan")
        for w in ("90", "95", "100", "105")
    ],
    "shoes": [(f"EU {n}", {"size_eu": str(n)}, 100, 100) for n in range(38, 47)],
    "ring": [(f"Size {n}", {"ring_size_it": str(n)}, 100, 100) for n in range(10, 21, 2)],
    "metal": [
        ("Yellow gold", {"metal": "yellow gold"}, 100, 100),
        ("Rose gold", {"metal": "rose gold"}, 100, 100),
        ("White gold", {"metal": "white gold"}, 110, 100),
    ],
    "strap": [
        ("Steel bracelet", {"strap": "steel"}, 115, 130),
        ("Leather strap", {"strap": "leather"}, 100, 100),
        ("Rubber strap", {"strap": "rubber"}, 95, 90),
    ],
    "cosmetic": [
        ("30 ml", {"volume_ml": "30"}, 70, 60),
        ("50 ml", {"volume_ml": "50"}, 100, 100),
        ("100 ml", {"volume_ml": "100"}, 170, 180),
    ],
    "perfume": [
        ("30 ml", {"volume_ml": "30"}, 60, 50),
        ("50 ml", {"volume_ml": "50"}, 100, 100),
        ("100 ml", {"volume_ml": "100"}, 160, 170),
    ],
    "shade": [
        (s, {"shade": s.lower()}, 100, 100)
        for s in ("Rosso Ferrari", "Rosa antico", "Nude", "Bordeaux", "Corallo")
    ],
    "pack": [
        ("Single", {"pack": "1"}, 100, 100),
        ("Pack of 3", {"pack": "3"}, 270, 300),
        ("Pack of 6", {"pack": "6"}, 510, 600),
    ],
    "oil": [
        ("250 ml", {"volume_ml": "250"}, 45, 40),
        ("500 ml", {"volume_ml": "500"}, 75, 70),
        ("750 ml", {"volume_ml": "750"}, 100, 100),
        ("3 l tin", {"volume_ml": "3000"}, 330, 320),
    ],
    "bottle": [
        ("250 ml", {"volume_ml": "250"}, 100, 100),
        ("500 ml", {"volume_ml": "500"}, 180, 190),
    ],
    "pasta": [
        ("500 g", {"weight_g": "500"}, 100, 100),
        ("1 kg", {"weight_g": "1000"}, 190, 200),
        ("6 × 500 g", {"weight_g": "3000"}, 540, 600),
    ],
    "cheese": [
        ("300 g", {"weight_g": "300"}, 35, 30),
        ("1 kg", {"weight_g": "1000"}, 100, 100),
        ("2.5 kg", {"weight_g": "2500"}, 240, 250),
    ],
    "jar": [
        ("Jar", {"pack": "1"}, 100, 100),
        ("3 jars", {"pack": "3"}, 280, 300),
        ("12 jars", {"pack": "12"}, 1050, 1200),
    ],
    "coffee": [
        ("250 g", {"weight_g": "250"}, 35, 25),
        ("500 g", {"weight_g": "500"}, 60, 50),
        ("1 kg", {"weight_g": "1000"}, 100, 100),
    ],
    "box": [("Box", {"pack": "1"}, 100, 100), ("Gift box", {"pack": "gift"}, 130, 120)],
    "wine": [
        ("75 cl", {"volume_ml": "750"}, 100, 100),
        ("6 × 75 cl", {"volume_ml": "4500"}, 570, 600),
        ("Magnum 150 cl", {"volume_ml": "1500"}, 230, 210),
    ],
    "spirit": [("50 cl", {"volume_ml": "500"}, 70, 65), ("70 cl", {"volume_ml": "700"}, 100, 100)],
    "finish": [
        (f, {"finish": f.lower()}, p, 100)
        for f, p in (("Walnut", 110), ("Oak", 100), ("Matt white", 95), ("Anthracite", 95))
    ],
    "lamp": [(f, {"finish": f.lower()}, 100, 100) for f in ("Brass", "Black", "White", "Chrome")],
    "tableware": [
        ("6 settings", {"settings": "6"}, 100, 100),
        ("12 settings", {"settings": "12"}, 185, 200),
    ],
    "bed": [
        ("Single", {"bed": "single"}, 75, 70),
        ("Double", {"bed": "double"}, 100, 100),
        ("King", {"bed": "king"}, 125, 130),
    ],
    "frame": [(f"Frame {n} cm", {"frame_cm": str(n)}, 100, 100) for n in (50, 52, 54, 56, 58)],
    "helmet": [(s, {"size": s}, 100, 100) for s in ("S", "M", "L")],
    "ski-boot": [
        (f"Mondo {n}", {"mondopoint": str(n)}, 100, 100) for n in ("25.5", "26.5", "27.5", "28.5")
    ],
    "ski": [(f"{n} cm", {"length_cm": str(n)}, 100, 100) for n in (158, 165, 172, 179)],
    "ball": [("Size 4", {"size": "4"}, 90, 90), ("Size 5", {"size": "5"}, 100, 100)],
    "grip": [(f"Grip {n}", {"grip": str(n)}, 100, 100) for n in (1, 2, 3, 4)],
    "groups": [
        ("1 group", {"groups": "1"}, 100, 100),
        ("2 groups", {"groups": "2"}, 160, 150),
        ("3 groups", {"groups": "3"}, 215, 200),
    ],
    "blade": [
        ("300 mm blade", {"blade_mm": "300"}, 100, 100),
        ("350 mm blade", {"blade_mm": "350"}, 125, 120),
    ],
    "table": [
        ("160 × 160 cm", {"size_cm": "160x160"}, 100, 100),
        ("160 × 240 cm", {"size_cm": "160x240"}, 135, 140),
        ("160 × 300 cm", {"size_cm": "160x300"}, 160, 170),
    ],
    "glassware": [("Set of 2", {"pack": "2"}, 100, 100), ("Set of 6", {"pack": "6"}, 270, 300)],
    "lens": [
        (f"{c} / {lens}", {"frame": c.lower(), "lens": lens.lower()}, 100, 100)
        for c in ("Havana", "Black", "Crystal")
        for lens in ("Green", "Brown", "Grey")
    ],
    "frame-colour": [
        (c, {"frame": c.lower()}, 100, 100) for c in ("Havana", "Black", "Crystal", "Blue", "Gold")
    ],
}

# --- places -----------------------------------------------------------------------------
# Region names in English and Chinese, for product descriptions.
REGION_NAMES: dict[str, tuple[str, str]] = {
    "IT-65": ("Abruzzo", "阿布鲁佐"),
    "IT-77": ("Basilicata", "巴西利卡塔"),
    "IT-78": ("Calabria", "卡拉布里亚"),
    "IT-72": ("Campania", "坎帕尼亚"),
    "IT-45": ("Emilia-Romagna", "艾米利亚-罗马涅"),
    "IT-36": ("Friuli Venezia Giulia", "弗留利-威尼斯朱利亚"),
    "IT-62": ("Lazio", "拉齐奥"),
    "IT-42": ("Liguria", "利古里亚"),
    "IT-25": ("Lombardy", "伦巴第"),
    "IT-57": ("Marche", "马尔凯"),
    "IT-67": ("Molise", "莫利塞"),
    "IT-21": ("Piedmont", "皮埃蒙特"),
    "IT-75": ("Apulia", "普利亚"),
    "IT-88": ("Sardinia", "撒丁岛"),
    "IT-82": ("Sicily", "西西里"),
    "IT-52": ("Tuscany", "托斯卡纳"),
    "IT-32": ("Trentino-South Tyrol", "特伦蒂诺-上阿迪杰"),
    "IT-55": ("Umbria", "翁布里亚"),
    "IT-23": ("Aosta Valley", "瓦莱达奥斯塔"),
    "IT-34": ("Veneto", "威尼托"),
}

# One sentence per category root: (it, en, zh).
PITCHES: dict[str, Text] = {
    "fashion": Text(
        "Confezionato in Italia con tessuti selezionati.",
        "Made in Italy from selected fabrics.",
        "意大利制造，精选面料。",
    ),
    "leather": Text(
        "Rifinito a mano da artigiani pellettieri.",
        "Hand-finished by leather artisans.",
        "由皮具工匠手工完成。",
    ),
    "jewellery": Text(
        "Realizzato a mano dai nostri orafi.",
        "Handmade by our goldsmiths.",
        "由我们的金匠手工打造。",
    ),
    "beauty": Text(
        "Formulato e prodotto in Italia, non testato su animali.",
        "Formulated and made in Italy, not tested on animals.",
        "意大利研发生产，无动物实验。",
    ),
    "food": Text(
        "Prodotto secondo tradizione con materie prime italiane.",
        "Made the traditional way from Italian ingredients.",
        "采用意大利原料，传统工艺制作。",
    ),
    "wine": Text(
        "Dalle nostre vigne, imbottigliato all'origine.",
        "From our own vineyards, estate-bottled.",
        "源自自家葡萄园，原产地装瓶。",
    ),
    "home": Text(
        "Disegnato e prodotto in Italia.", "Designed and made in Italy.", "意大利设计与制造。"
    ),
    "sport": Text(
        "Progettato e collaudato sulle strade e sulle montagne italiane.",
        "Designed and tested on Italian roads and mountains.",
        "在意大利的道路与山区设计和测试。",
    ),
}

# Shipping addresses per buyer country: (city, postal code, street with {n}).
ADDRESSES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "CN": (
        ("上海市", "200120", "浦东新区世纪大道{n}号"),
        ("北京市", "100020", "朝阳区建国路{n}号"),
        ("广州市", "510623", "天河区花城大道{n}号"),
        ("深圳市", "518048", "福田区深南大道{n}号"),
        ("杭州市", "310002", "上城区解放路{n}号"),
        ("成都市", "610041", "武侯区人民南路{n}号"),
        ("南京市", "210005", "鼓楼区中山路{n}号"),
        ("武汉市", "430022", "江汉区解放大道{n}号"),
    ),
    "SG": (
        ("Singapore", "238801", "{n} Orchard Road"),
        ("Singapore", "048619", "{n} Raffles Place"),
        ("Singapore", "560123", "Blk {n} Ang Mo Kio Avenue 3"),
    ),
    "ID": (
        ("Jakarta", "10310", "Jl. M.H. Thamrin No. {n}"),
        ("Surabaya", "60271", "Jl. Tunjungan No. {n}"),
        ("Bandung", "40111", "Jl. Asia Afrika No. {n}"),
    ),
    "MY": (
        ("Kuala Lumpur", "50450", "{n} Jalan Ampang"),
        ("George Town", "10200", "{n} Lebuh Pantai"),
        ("Johor Bahru", "80000", "{n} Jalan Wong Ah Fook"),
    ),
    "PH": (
        ("Makati", "1226", "{n} Ayala Avenue"),
        ("Quezon City", "1108", "{n} Katipunan Avenue"),
        ("Cebu City", "6000", "{n} Osmeña Boulevard"),
    ),
    "TH": (
        ("Bangkok", "10330", "{n} Ratchadamri Road"),
        ("Chiang Mai", "50200", "{n} Nimmanhaemin Road"),
        ("Phuket", "83000", "{n} Thalang Road"),
    ),
    "VN": (
        ("Hồ Chí Minh", "700000", "{n} Đồng Khởi"),
        ("Hà Nội", "100000", "{n} Tràng Tiền"),
        ("Đà Nẵng", "550000", "{n} Bạch Đằng"),
    ),
    "US": (
        ("New York", "10013", "{n} Broadway"),
        ("San Francisco", "94105", "{n} Market Street"),
        ("Chicago", "60611", "{n} N Michigan Avenue"),
        ("Miami", "33131", "{n} Brickell Avenue"),
    ),
    "DE": (
        ("München", "80331", "Maximilianstraße {n}"),
        ("Berlin", "10117", "Friedrichstraße {n}"),
        ("Hamburg", "20095", "Mönckebergstraße {n}"),
    ),
    "FR": (
        ("Paris", "75008", "{n} rue du Faubourg Saint-Honoré"),
        ("Lyon", "69002", "{n} rue de la République"),
    ),
    "GB": (("London", "W1S 3PR", "{n} Savile Row"), ("Manchester", "M2 4WU", "{n} King Street")),
    "AE": (
        ("Dubai", "00000", "Office {n}, Sheikh Zayed Road"),
        ("Abu Dhabi", "00000", "{n} Corniche Road"),
    ),
    "JP": (
        ("Tokyo", "104-0061", "{n}-1 Ginza, Chuo-ku"),
        ("Osaka", "530-0001", "{n}-3 Umeda, Kita-ku"),
    ),
    "KR": (("Seoul", "06164", "{n} Teheran-ro, Gangnam-gu"), ("Busan", "48058", "{n} Haeundae-ro")),
    "AU": (("Sydney", "2000", "{n} George Street"), ("Melbourne", "3000", "{n} Collins Street")),
    "CA": (
        ("Toronto", "M5H 2N2", "{n} Bay Street"),
        ("Vancouver", "V6C 1T2", "{n} Granville Street"),
    ),
    "BR": (
        ("São Paulo", "01310-100", "Avenida Paulista, {n}"),
        ("Rio de Janeiro", "22021-001", "Avenida Atlântica, {n}"),
    ),
}

PHONE_PREFIXES: dict[str, str] = {
    "CN": "+86 13",
    "SG": "+65 9",
    "ID": "+62 812",
    "MY": "+60 12",
    "PH": "+63 917",
    "TH": "+66 81",
    "VN": "+84 90",
    "US": "+1 212",
    "DE": "+49 151",
    "FR": "+33 6",
    "GB": "+44 7700",
    "AE": "+971 50",
    "JP": "+81 90",
    "KR": "+82 10",
    "AU": "+61 4",
    "CA": "+1 416",
    "BR": "+55 11 9",
}

# Carriers per marketplace slug; the tracking-number style is chosen in the builder.
CARRIERS: dict[str, tuple[str, ...]] = {
    "flagship-cn": ("SF Express", "JD Logistics"),
    "crossborder-cn": ("Poste Italiane", "DHL Express", "EMS"),
    "trade": ("DHL Express", "UPS", "FedEx"),
    "sea": ("DHL Express", "Poste Italiane", "Ninja Van"),
}

REFUND_REASONS: tuple[str, ...] = (
    "Damaged in transit",
    "Wrong size, returned",
    "Item not as described",
    "Arrived after the promised date",
    "Changed their mind within the return window",
)

# What a company whose name carries a trade word makes (others make their profile's range).
ACTIVITY_FOCUS: dict[str, tuple[str, ...]] = {
    "Maglificio": ("sweater", "scarf"),
    "Sartoria": ("jacket", "blazer", "trousers", "shirt", "tie"),
    "Lanificio": ("jacket", "blazer", "sweater", "trousers"),
    "Setificio": ("scarf", "tie", "dress"),
    "Pelletteria": ("handbag", "tote", "briefcase", "wallet", "belt"),
    "Borse": ("handbag", "tote", "briefcase", "wallet"),
    "Calzaturificio": ("oxford", "loafers", "sneakers", "ankle-boots"),
    "Calzature": ("oxford", "loafers", "sneakers", "ankle-boots"),
    "Oreficeria": ("ring", "necklace", "earrings", "bracelet"),
    "Argenteria": ("bracelet", "necklace", "ring"),
    "Oleificio": ("olive-oil", "balsamic"),
    "Frantoio": ("olive-oil",),
    "Pastificio": ("spaghetti", "paccheri", "orecchiette", "tagliatelle"),
    "Caseificio": ("parmigiano", "pecorino"),
    "Salumificio": ("prosciutto",),
    "Dolciaria": ("chocolate", "gianduiotti", "cantucci", "panettone"),
    "Torrefazione": ("coffee", "chocolate"),
    "Conserve": ("passata", "pesto", "truffle", "honey"),
    "Cantina": ("red-wine", "white-wine", "sparkling"),
    "Cantine": ("red-wine", "white-wine", "sparkling"),
    "Tenuta": ("red-wine", "white-wine", "grappa"),
    "Vigneti": ("red-wine", "white-wine", "sparkling"),
    "Distilleria": ("grappa", "limoncello"),
    "Profumeria": ("perfume", "soap"),
    "Erboristeria": ("face-cream", "serum", "shampoo", "soap"),
    "Mobilificio": ("chair", "armchair", "table", "bookcase"),
    "Illuminazione": ("table-lamp",),
    "Ceramiche": ("dinner-set", "vase"),
    "Maioliche": ("dinner-set", "vase"),
    "Vetreria": ("vase", "wine-glasses"),
    "Cristalleria": ("wine-glasses", "vase"),
    "Linificio": ("table-linen", "bed-linen"),
    "Biancheria": ("bed-linen", "bath-towel", "table-linen"),
    "Cicli": ("road-bike", "cycling-jersey", "helmet"),
}
