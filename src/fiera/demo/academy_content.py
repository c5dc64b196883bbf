"""The demo masterclass's teaching text: five modules on digital transformation and the
platform economy, in Italian, Spanish and English (our own words, written for founders of
small firms who sell, or want to sell, across borders). Read by ``fiera.demo.academy``."""

from __future__ import annotations

from typing import Final

Texts = dict[str, str]
Lesson = tuple[Texts, int, Texts]  # title, minutes, body (Markdown)
Module = tuple[Texts, tuple[Lesson, ...]]

COURSE_TITLE: Final[Texts] = {
    "it": "Masterclass in trasformazione digitale ed economia delle piattaforme",
    "es": "Masterclass en transformación digital y economía de plataformas",
    "en": "Masterclass in digital transformation and the platform economy",
}

COURSE_SUMMARY: Final[Texts] = {
    "it": (
        "Dieci settimane per imprenditori che vogliono vendere online oltre confine: "
        "**piattaforme**, e-commerce transfrontaliero, marketing digitale, logistica e dogane, "
        "pagamenti. Lezioni brevi, laboratori dal vivo e un esame finale con certificato."
    ),
    "es": (
        "Diez semanas para empresarios que quieren vender en línea más allá de sus fronteras: "
        "**plataformas**, comercio electrónico transfronterizo, marketing digital, logística y "
        "aduanas, pagos. Lecciones breves, talleres en directo y un examen final con certificado."
    ),
    "en": (
        "Ten weeks for founders who want to sell online across borders: **platforms**, "
        "cross-border e-commerce, digital marketing, logistics and customs, payments. Short "
        "lessons, live workshops and a final exam with a certificate."
    ),
}

MODULES: Final[tuple[Module, ...]] = (
    (
        {
            "it": "L'economia delle piattaforme",
            "es": "La economía de plataformas",
            "en": "The platform economy",
        },
        (
            (
                {
                    "it": "Che cos'è una piattaforma",
                    "es": "Qué es una plataforma",
                    "en": "What a platform is",
                },
                12,
                {
                    "it": """## Un mercato con due lati

Una piattaforma non vende (solo) prodotti propri: mette in contatto due gruppi che hanno
bisogno l'uno dell'altro, per esempio chi compra e chi vende, e guadagna su ogni incontro
riuscito. Il suo valore cresce con il numero di partecipanti: più acquirenti attirano più
venditori, e più venditori rendono l'offerta più ricca per gli acquirenti. È il cosiddetto
**effetto di rete**.

Per un'impresa piccola questo significa due cose. La prima: sulla piattaforma il pubblico
c'è già, e non va costruito da zero. La seconda: le regole le scrive la piattaforma
(commissioni, visibilità, recensioni, tempi di pagamento), e cambiano nel tempo.

### Da ricordare

- Una piattaforma vale quanto i suoi partecipanti attivi, non quanto i suoi iscritti.
- Le commissioni pagano il traffico, la fiducia e i servizi (pagamenti, logistica).
- Chi entra presto in una piattaforma in crescita ottiene spesso più visibilità.
""",
                    "es": """## Un mercado con dos lados

Una plataforma no vende (solo) productos propios: pone en contacto a dos grupos que se
necesitan, por ejemplo quien compra y quien vende, y gana con cada encuentro exitoso. Su
valor crece con el número de participantes: más compradores atraen a más vendedores, y más
vendedores hacen la oferta más rica para los compradores. Es el llamado **efecto de red**.

Para una empresa pequeña esto significa dos cosas. La primera: en la plataforma el público
ya existe y no hay que construirlo desde cero. La segunda: las reglas las escribe la
plataforma (comisiones, visibilidad, reseñas, plazos de pago) y cambian con el tiempo.

### Para recordar

- Una plataforma vale lo que valen sus participantes activos, no sus inscritos.
- Las comisiones pagan el tráfico, la confianza y los servicios (pagos, logística).
- Quien entra pronto en una plataforma en crecimiento suele obtener más visibilidad.
""",
                    "en": """## A market with two sides

A platform does not (only) sell its own products: it brings together two groups that need
each other, such as buyers and sellers, and earns on every successful match. Its value
grows with the number of participants: more buyers attract more sellers, and more sellers
make the offer richer for buyers. This is the **network effect**.

For a small firm this means two things. First, the audience is already there and need not
be built from scratch. Second, the platform writes the rules (fees, visibility, reviews,
payment terms), and it changes them over time.

### Remember

- A platform is worth its active participants, not its sign-ups.
- Fees pay for traffic, trust and services (payments, logistics).
- Joining a growing platform early often brings more visibility.
""",
                },
            ),
            (
                {
                    "it": "Marketplace o negozio proprio?",
                    "es": "¿Marketplace o tienda propia?",
                    "en": "Marketplace or your own shop?",
                },
                15,
                {
                    "it": """## Due strade, spesso insieme

Su un **marketplace** si paga una commissione (di solito tra l'8 % e il 20 % del prezzo) e
a volte un canone; in cambio si ottengono traffico, fiducia e pagamenti già pronti. Con un
**negozio proprio** il margine resta all'impresa, ma ogni visitatore va conquistato con
pubblicità, contenuti o passaparola.

| | Marketplace | Negozio proprio |
|---|---|---|
| Traffico | già presente | da costruire |
| Dati dei clienti | limitati | completi |
| Costo per vendita | commissione | marketing |
| Controllo del marchio | parziale | totale |

La scelta più comune è mista: il marketplace per farsi trovare e per i mercati nuovi, il
negozio proprio per i clienti fedeli e le linee di prodotto esclusive.
""",
                    "es": """## Dos caminos, a menudo juntos

En un **marketplace** se paga una comisión (normalmente entre el 8 % y el 20 % del precio)
y a veces una cuota; a cambio se obtienen tráfico, confianza y pagos ya resueltos. Con una
**tienda propia** el margen queda en la empresa, pero cada visitante hay que ganarlo con
publicidad, contenidos o boca a boca.

| | Marketplace | Tienda propia |
|---|---|---|
| Tráfico | ya existe | hay que construirlo |
| Datos de clientes | limitados | completos |
| Coste por venta | comisión | marketing |
| Control de la marca | parcial | total |

La opción más común es mixta: el marketplace para ser encontrado y para mercados nuevos,
la tienda propia para los clientes fieles y las líneas de producto exclusivas.
""",
                    "en": """## Two roads, often taken together

On a **marketplace** you pay a commission (usually 8 % to 20 % of the price) and sometimes
a monthly fee; in return you get traffic, trust and ready-made payments. With **your own
shop** the margin stays with you, but every visitor must be won with advertising, content
or word of mouth.

| | Marketplace | Own shop |
|---|---|---|
| Traffic | already there | to be built |
| Customer data | limited | complete |
| Cost per sale | commission | marketing |
| Brand control | partial | full |

The usual answer is both: the marketplace to be found and to open new markets, your own
shop for loyal customers and exclusive product lines.
""",
                },
            ),
            (
                {
                    "it": "Scegliere le piattaforme giuste",
                    "es": "Elegir las plataformas adecuadas",
                    "en": "Choosing the right platforms",
                },
                10,
                {
                    "it": """## Una lista di controllo

Prima di aprire un negozio su una piattaforma, rispondete per iscritto a queste domande:

1. **Chi compra lì?** Paese, età, fascia di prezzo: somigliano ai vostri clienti migliori?
2. **Quanto costa davvero?** Commissione, canone, pubblicità interna, logistica, resi.
3. **Chi incassa e quando?** Valuta, tempi di accredito, riserve trattenute.
4. **Che cosa serve per entrare?** Documenti, certificazioni di prodotto, marchio registrato.
5. **Come si diventa visibili?** Recensioni, campagne, festival di vendita.

Partite con una o due piattaforme e un obiettivo misurabile a 90 giorni (per esempio:
50 ordini con margine positivo). Allargate solo dopo averlo raggiunto.
""",
                    "es": """## Una lista de control

Antes de abrir una tienda en una plataforma, responda por escrito a estas preguntas:

1. **¿Quién compra allí?** País, edad, rango de precio: ¿se parecen a sus mejores clientes?
2. **¿Cuánto cuesta de verdad?** Comisión, cuota, publicidad interna, logística, devoluciones.
3. **¿Quién cobra y cuándo?** Moneda, plazos de pago, reservas retenidas.
4. **¿Qué hace falta para entrar?** Documentos, certificaciones de producto, marca registrada.
5. **¿Cómo se gana visibilidad?** Reseñas, campañas, festivales de ventas.

Empiece con una o dos plataformas y un objetivo medible a 90 días (por ejemplo: 50 pedidos
con margen positivo). Amplíe solo después de alcanzarlo.
""",
                    "en": """## A checklist

Before opening a store on a platform, answer these questions in writing:

1. **Who buys there?** Country, age, price range: do they look like your best customers?
2. **What does it really cost?** Commission, fee, on-platform ads, logistics, returns.
3. **Who collects the money, and when?** Currency, payout times, withheld reserves.
4. **What do you need to get in?** Documents, product certifications, a registered brand.
5. **How do you become visible?** Reviews, campaigns, shopping festivals.

Start with one or two platforms and a goal you can measure in 90 days (for example: 50
orders with a positive margin). Widen only once you have reached it.
""",
                },
            ),
        ),
    ),
    (
        {
            "it": "E-commerce transfrontaliero",
            "es": "Comercio electrónico transfronterizo",
            "en": "Cross-border e-commerce",
        },
        (
            (
                {
                    "it": "Vendere all'estero: i modelli",
                    "es": "Vender en el extranjero: los modelos",
                    "en": "Selling abroad: the models",
                },
                14,
                {
                    "it": """## Transfrontaliero o domestico?

Nel modello **transfrontaliero** il prodotto parte dall'Italia (o da un magazzino
doganale) e il cliente estero lo importa con l'acquisto: l'impresa non ha bisogno di una
società nel paese di destinazione. In Cina, per esempio, il regime del commercio
elettronico transfrontaliero permette vendite al consumatore con tasse agevolate entro un
limite annuo per persona.

Nel modello **domestico** la merce è importata prima, sdoganata, e venduta da un soggetto
locale come qualsiasi prodotto del paese. Servono un importatore, etichette nella lingua
locale e spesso registrazioni di prodotto, ma i tempi di consegna si accorciano.

- Transfrontaliero: ideale per provare un mercato con poco rischio.
- Domestico: adatto quando i volumi sono stabili e il prezzo deve competere con i prodotti
  locali.
""",
                    "es": """## ¿Transfronterizo o doméstico?

En el modelo **transfronterizo** el producto sale de España o de Italia (o de un almacén
aduanero) y el cliente extranjero lo importa con la compra: la empresa no necesita una
sociedad en el país de destino. En China, por ejemplo, el régimen de comercio electrónico
transfronterizo permite ventas al consumidor con impuestos reducidos dentro de un límite
anual por persona.

En el modelo **doméstico** la mercancía se importa antes, se despacha en aduana y la vende
un operador local como cualquier producto del país. Hacen falta un importador, etiquetas en
el idioma local y a menudo registros de producto, pero los plazos de entrega se acortan.

- Transfronterizo: ideal para probar un mercado con poco riesgo.
- Doméstico: adecuado cuando los volúmenes son estables y el precio debe competir con los
  productos locales.
""",
                    "en": """## Cross-border or domestic?

In the **cross-border** model the product leaves your country (or a bonded warehouse) and
the foreign customer imports it by buying: you need no company in the destination country.
In China, for example, the cross-border e-commerce regime allows sales to consumers at
reduced taxes within a yearly limit per person.

In the **domestic** model the goods are imported first, cleared through customs and sold
by a local entity like any product of that country. You need an importer, labels in the
local language and often product registrations, but delivery times are shorter.

- Cross-border: ideal to test a market with little risk.
- Domestic: fits when volumes are steady and the price must compete with local products.
""",
                },
            ),
            (
                {
                    "it": "Il prezzo per un altro mercato",
                    "es": "El precio para otro mercado",
                    "en": "Pricing for another market",
                },
                16,
                {
                    "it": """## Dal prezzo di listino al costo di arrivo

Il cliente estero confronta il **prezzo finale**, non il vostro listino. Per calcolarlo
partite dal prezzo franco fabbrica e aggiungete, nell'ordine:

1. trasporto internazionale e assicurazione;
2. dazi e imposte di importazione (IVA o equivalente) del paese di destinazione;
3. commissione della piattaforma e costo del pagamento;
4. margine per resi e promozioni.

Il risultato è il **costo di arrivo** (*landed cost*). Se supera di molto i prezzi dei
concorrenti locali, cambiate formato (confezioni più grandi o kit), modello logistico o
mercato. Fissate i prezzi nella valuta del cliente e rivedeteli quando il cambio si muove
più di qualche punto percentuale.
""",
                    "es": """## Del precio de catálogo al coste de llegada

El cliente extranjero compara el **precio final**, no su lista de precios. Para calcularlo
parta del precio en fábrica y añada, por orden:

1. transporte internacional y seguro;
2. aranceles e impuestos de importación (IVA o equivalente) del país de destino;
3. comisión de la plataforma y coste del pago;
4. margen para devoluciones y promociones.

El resultado es el **coste de llegada** (*landed cost*). Si supera mucho los precios de los
competidores locales, cambie de formato (envases más grandes o lotes), de modelo logístico
o de mercado. Fije los precios en la moneda del cliente y revíselos cuando el tipo de
cambio se mueva más de unos pocos puntos porcentuales.
""",
                    "en": """## From list price to landed cost

The foreign customer compares the **final price**, not your price list. To work it out,
start from the ex-works price and add, in order:

1. international freight and insurance;
2. import duties and taxes (VAT or its equivalent) of the destination country;
3. the platform's commission and the cost of payment;
4. a margin for returns and promotions.

The result is the **landed cost**. If it is well above local competitors' prices, change
the format (larger packs or bundles), the logistics model or the market. Set prices in the
customer's currency and review them when the exchange rate moves by more than a few
percentage points.
""",
                },
            ),
            (
                {
                    "it": "Localizzare il negozio",
                    "es": "Localizar la tienda",
                    "en": "Localising your store",
                },
                12,
                {
                    "it": """## Tradurre non basta

Un negozio localizzato parla la lingua del cliente, ma anche le sue abitudini: unità di
misura, taglie, formati delle date, metodi di pagamento, festività. Le schede prodotto
devono rispondere alle domande che quel pubblico si fa davvero: in Cina l'origine e
l'autenticità, in Germania i dati tecnici, in Spagna spesso i tempi di consegna.

### Tre regole pratiche

- Fate rivedere i testi da un madrelingua che conosce il vostro settore.
- Mostrate le prove di fiducia locali: recensioni, certificazioni, marchi noti.
- Offrite assistenza nella lingua del cliente, almeno per email o chat, con tempi di
  risposta dichiarati.
""",
                    "es": """## Traducir no basta

Una tienda localizada habla el idioma del cliente, pero también sus costumbres: unidades de
medida, tallas, formatos de fecha, métodos de pago, festividades. Las fichas de producto
deben responder a las preguntas que ese público se hace de verdad: en China el origen y la
autenticidad, en Alemania los datos técnicos, en Italia a menudo la historia del producto.

### Tres reglas prácticas

- Haga revisar los textos por un nativo que conozca su sector.
- Muestre las pruebas de confianza locales: reseñas, certificaciones, marcas conocidas.
- Ofrezca atención en el idioma del cliente, al menos por correo o chat, con plazos de
  respuesta declarados.
""",
                    "en": """## Translating is not enough

A localised store speaks the customer's language and also their habits: units, sizes, date
formats, payment methods, holidays. Product pages must answer the questions that audience
really asks: in China origin and authenticity, in Germany the technical data, in Spain
often the delivery time.

### Three practical rules

- Have the texts reviewed by a native speaker who knows your sector.
- Show local proof of trust: reviews, certifications, well-known brands.
- Offer support in the customer's language, at least by email or chat, with stated
  response times.
""",
                },
            ),
        ),
    ),
    (
        {"it": "Marketing digitale", "es": "Marketing digital", "en": "Digital marketing"},
        (
            (
                {
                    "it": "Dalla ricerca al social commerce",
                    "es": "De la búsqueda al comercio social",
                    "en": "From search to social commerce",
                },
                12,
                {
                    "it": """## Dove nasce l'acquisto

In molti mercati occidentali l'acquisto online comincia da un motore di ricerca o dalla
ricerca interna di un marketplace: contano parole chiave, titoli chiari e foto pulite. In
Asia, e sempre più anche in Europa, comincia spesso sui **social**: un video, un consiglio
di un creatore, un gruppo di amici.

Per questo conviene pensare a due vetrine. La prima è *cercabile*: schede prodotto complete,
titoli con le parole che usa il cliente, recensioni. La seconda è *scopribile*: contenuti
brevi che mostrano il prodotto in uso, pubblicati con regolarità, e un percorso semplice
dal contenuto al carrello.
""",
                    "es": """## Dónde nace la compra

En muchos mercados occidentales la compra en línea empieza en un buscador o en la búsqueda
interna de un marketplace: cuentan las palabras clave, los títulos claros y las fotos
limpias. En Asia, y cada vez más también en Europa, empieza a menudo en las **redes
sociales**: un vídeo, la recomendación de un creador, un grupo de amigos.

Por eso conviene pensar en dos escaparates. El primero es *buscable*: fichas de producto
completas, títulos con las palabras que usa el cliente, reseñas. El segundo es
*descubrible*: contenidos breves que muestran el producto en uso, publicados con
regularidad, y un camino sencillo del contenido al carrito.
""",
                    "en": """## Where a purchase begins

In many Western markets an online purchase begins with a search engine or a marketplace's
own search: keywords, clear titles and clean photos matter. In Asia, and more and more in
Europe, it often begins on **social media**: a video, a creator's tip, a group of friends.

So think of two shop windows. The first is *searchable*: complete product pages, titles
using the customer's own words, reviews. The second is *discoverable*: short content that
shows the product in use, published regularly, with a simple path from the content to the
cart.
""",
                },
            ),
            (
                {
                    "it": "Contenuti e vendita in diretta",
                    "es": "Contenidos y venta en directo",
                    "en": "Content and live selling",
                },
                14,
                {
                    "it": """## Raccontare il prodotto

La **vendita in diretta** (*live streaming*) unisce spettacolo e negozio: un conduttore
mostra il prodotto, risponde alle domande in tempo reale e propone offerte limitate nel
tempo. Funziona bene per prodotti che si capiscono meglio vedendoli usare: cosmetica,
alimentare, moda, casa.

Non servono grandi budget per cominciare:

- una scaletta di 30-45 minuti con tre o quattro prodotti;
- una persona che conosce davvero il prodotto (spesso il fondatore);
- un'offerta chiara e un codice valido solo durante la diretta;
- la misura dei risultati: spettatori, domande, ordini, resi.

Riutilizzate i momenti migliori della diretta come brevi video per la settimana successiva.
""",
                    "es": """## Contar el producto

La **venta en directo** (*live streaming*) une espectáculo y tienda: un presentador muestra
el producto, responde a las preguntas en tiempo real y propone ofertas limitadas en el
tiempo. Funciona bien con productos que se entienden mejor viéndolos en uso: cosmética,
alimentación, moda, hogar.

No hacen falta grandes presupuestos para empezar:

- un guion de 30 a 45 minutos con tres o cuatro productos;
- una persona que conozca de verdad el producto (a menudo el fundador);
- una oferta clara y un código válido solo durante el directo;
- la medida de los resultados: espectadores, preguntas, pedidos, devoluciones.

Reutilice los mejores momentos del directo como vídeos breves para la semana siguiente.
""",
                    "en": """## Telling the product's story

**Live selling** (live streaming) joins a show and a shop: a host presents the product,
answers questions in real time and makes time-limited offers. It works well for products
that are best understood when you see them used: cosmetics, food, fashion, homeware.

You need no big budget to start:

- a 30 to 45 minute running order with three or four products;
- someone who truly knows the product (often the founder);
- a clear offer and a code valid only during the stream;
- measuring the results: viewers, questions, orders, returns.

Reuse the best moments of the stream as short videos for the following week.
""",
                },
            ),
            (
                {
                    "it": "Misurare: imbuto ed economia unitaria",
                    "es": "Medir: embudo y economía unitaria",
                    "en": "Measuring: the funnel and unit economics",
                },
                15,
                {
                    "it": """## I numeri che contano

Ogni vendita online attraversa un **imbuto**: persone raggiunte, visite, aggiunte al
carrello, ordini, clienti che tornano. Guardare ogni passaggio dice dove si perde la gente.

Tre indicatori bastano per decidere:

- **Tasso di conversione**: ordini diviso visite. Sotto l'1 % di solito il problema è la
  scheda prodotto o il prezzo.
- **Costo di acquisizione (CAC)**: spesa di marketing diviso nuovi clienti.
- **Ritorno sulla spesa pubblicitaria (ROAS)**: ricavi attribuiti diviso spesa.

La domanda finale è sempre la stessa: *il margine del primo ordine, più quelli successivi,
ripaga il costo di acquisizione?* Se la risposta è no, fermatevi e correggete prima di
spendere di più.
""",
                    "es": """## Los números que cuentan

Cada venta en línea atraviesa un **embudo**: personas alcanzadas, visitas, productos
añadidos al carrito, pedidos, clientes que vuelven. Mirar cada paso indica dónde se pierde
la gente.

Tres indicadores bastan para decidir:

- **Tasa de conversión**: pedidos dividido entre visitas. Por debajo del 1 %, normalmente el
  problema es la ficha de producto o el precio.
- **Coste de adquisición (CAC)**: gasto de marketing dividido entre nuevos clientes.
- **Retorno de la inversión publicitaria (ROAS)**: ingresos atribuidos dividido entre gasto.

La pregunta final es siempre la misma: *¿el margen del primer pedido, más los siguientes,
paga el coste de adquisición?* Si la respuesta es no, pare y corrija antes de gastar más.
""",
                    "en": """## The numbers that matter

Every online sale goes through a **funnel**: people reached, visits, add-to-cart, orders,
returning customers. Looking at each step tells you where people drop off.

Three indicators are enough to decide:

- **Conversion rate**: orders divided by visits. Below 1 % the problem is usually the
  product page or the price.
- **Customer acquisition cost (CAC)**: marketing spend divided by new customers.
- **Return on ad spend (ROAS)**: attributed revenue divided by spend.

The final question is always the same: *does the margin of the first order, plus the ones
after it, pay back the acquisition cost?* If not, stop and fix it before spending more.
""",
                },
            ),
            (
                {
                    "it": "Festival di vendita e campagne",
                    "es": "Festivales de ventas y campañas",
                    "en": "Shopping festivals and campaigns",
                },
                10,
                {
                    "it": """## Il calendario conta

Alcuni giorni concentrano una parte enorme delle vendite dell'anno: l'**11.11** e il
**6.18** in Cina, il Black Friday in Europa e in America. Partecipare richiede
preparazione: le piattaforme chiedono di iscrivere i prodotti settimane prima, con prezzi
e scorte garantiti.

Preparate una campagna in tre fasi: *riscaldamento* (contenuti e liste dei desideri),
*picco* (offerte a tempo, dirette), *coda* (assistenza, recensioni, clienti da far
tornare). Controllate le scorte ogni giorno: un prodotto esaurito nel giorno del festival
perde vendite e posizione nelle classifiche.
""",
                    "es": """## El calendario importa

Algunos días concentran una parte enorme de las ventas del año: el **11.11** y el **6.18**
en China, el Black Friday en Europa y América. Participar requiere preparación: las
plataformas piden inscribir los productos semanas antes, con precios y existencias
garantizados.

Prepare una campaña en tres fases: *calentamiento* (contenidos y listas de deseos),
*pico* (ofertas por tiempo limitado, directos), *cola* (atención, reseñas, clientes que
vuelvan). Controle las existencias cada día: un producto agotado el día del festival
pierde ventas y posición en las clasificaciones.
""",
                    "en": """## The calendar matters

A few days concentrate a huge share of the year's sales: **11.11** and **6.18** in China,
Black Friday in Europe and America. Taking part needs preparation: platforms ask you to
enter products weeks ahead, with guaranteed prices and stock.

Plan a campaign in three phases: *warm-up* (content and wish lists), *peak* (time-limited
offers, live streams), *tail* (support, reviews, bringing customers back). Check stock
every day: a product sold out on festival day loses sales and its place in the rankings.
""",
                },
            ),
        ),
    ),
    (
        {
            "it": "Logistica e dogane",
            "es": "Logística y aduanas",
            "en": "Logistics and customs",
        },
        (
            (
                {
                    "it": "Tre modelli di spedizione",
                    "es": "Tres modelos de envío",
                    "en": "Three shipping models",
                },
                14,
                {
                    "it": """## Quale magazzino, quale tempo di consegna

1. **Spedizione diretta**: ogni ordine parte dall'Italia con un corriere espresso o con la
   posta. Nessuno stock all'estero, ma consegne in 5-15 giorni e costi unitari alti.
2. **Magazzino doganale nel paese di destinazione**: la merce arriva in blocco, resta
   sotto controllo doganale e viene sdoganata pacco per pacco quando il cliente ordina.
   Consegne in 2-4 giorni, ma serve capitale immobilizzato nello stock.
3. **Magazzino locale**: merce già importata e sdoganata, consegne in giornata o il giorno
   dopo; è il modello del commercio domestico.

Molte imprese cominciano con la spedizione diretta, misurano quali prodotti vendono con
regolarità e spostano solo quelli in un magazzino vicino al cliente.
""",
                    "es": """## Qué almacén, qué plazo de entrega

1. **Envío directo**: cada pedido sale de origen con un mensajero urgente o por correo. Sin
   existencias en el extranjero, pero con entregas en 5 a 15 días y costes unitarios altos.
2. **Almacén aduanero en el país de destino**: la mercancía llega en bloque, permanece bajo
   control aduanero y se despacha paquete a paquete cuando el cliente compra. Entregas en 2
   a 4 días, pero con capital inmovilizado en existencias.
3. **Almacén local**: mercancía ya importada y despachada, entregas en el día o al día
   siguiente; es el modelo del comercio doméstico.

Muchas empresas empiezan con el envío directo, miden qué productos se venden con
regularidad y trasladan solo esos a un almacén cercano al cliente.
""",
                    "en": """## Which warehouse, which delivery time

1. **Direct shipping**: each order leaves your country with an express courier or the
   post. No stock abroad, but deliveries take 5 to 15 days and unit costs are high.
2. **Bonded warehouse in the destination country**: goods arrive in bulk, stay under
   customs control and are cleared parcel by parcel as customers order. Delivery in 2 to 4
   days, but capital is tied up in stock.
3. **Local warehouse**: goods already imported and cleared, delivered the same or the next
   day; this is the model of domestic trade.

Many firms start with direct shipping, measure which products sell steadily and move only
those to a warehouse close to the customer.
""",
                },
            ),
            (
                {
                    "it": "Dogana: codici, origine, Incoterms",
                    "es": "Aduana: códigos, origen, Incoterms",
                    "en": "Customs: codes, origin, Incoterms",
                },
                16,
                {
                    "it": """## Le tre informazioni che la dogana chiede

- **Codice HS** (Sistema armonizzato): classifica il prodotto e decide il dazio. Le prime
  sei cifre sono uguali in tutto il mondo; i paesi aggiungono cifre proprie. Un codice
  sbagliato significa dazi sbagliati, ritardi o sanzioni.
- **Origine**: il paese in cui il prodotto è stato ottenuto o trasformato in modo
  sostanziale. Gli accordi commerciali riducono i dazi solo con una prova d'origine valida.
- **Valore**: il prezzo pagato, più trasporto e assicurazione secondo le regole del paese.

Gli **Incoterms** stabiliscono chi paga che cosa e dove passa il rischio: con *DAP* il
venditore consegna a destinazione ma il compratore paga dazi e imposte; con *DDP* il
venditore paga tutto. Nelle vendite al consumatore online il cliente si aspetta quasi
sempre un prezzo "tutto compreso".
""",
                    "es": """## Los tres datos que pide la aduana

- **Código SA** (Sistema Armonizado): clasifica el producto y determina el arancel. Las seis
  primeras cifras son iguales en todo el mundo; cada país añade las suyas. Un código
  equivocado significa aranceles erróneos, retrasos o sanciones.
- **Origen**: el país en el que el producto se obtuvo o se transformó de forma sustancial.
  Los acuerdos comerciales reducen los aranceles solo con una prueba de origen válida.
- **Valor**: el precio pagado, más transporte y seguro según las reglas del país.

Los **Incoterms** fijan quién paga qué y dónde pasa el riesgo: con *DAP* el vendedor entrega
en destino pero el comprador paga aranceles e impuestos; con *DDP* el vendedor lo paga
todo. En la venta en línea al consumidor, el cliente espera casi siempre un precio "todo
incluido".
""",
                    "en": """## The three facts customs asks for

- **HS code** (Harmonized System): classifies the product and decides the duty. The first
  six digits are the same worldwide; countries add their own. A wrong code means wrong
  duties, delays or penalties.
- **Origin**: the country where the product was obtained or substantially transformed.
  Trade agreements cut duties only with valid proof of origin.
- **Value**: the price paid, plus freight and insurance as the country's rules say.

**Incoterms** say who pays for what and where the risk passes: under *DAP* the seller
delivers to the destination but the buyer pays duties and taxes; under *DDP* the seller
pays everything. In online sales to consumers, customers almost always expect an
"all-inclusive" price.
""",
                },
            ),
            (
                {
                    "it": "Resi e assistenza post-vendita",
                    "es": "Devoluciones y posventa",
                    "en": "Returns and after-sales",
                },
                10,
                {
                    "it": """## Un reso costa, un cliente perso di più

Un reso internazionale può costare più del prodotto stesso. Prima di vendere all'estero
decidete una politica chiara: quali prodotti si possono rendere, entro quanti giorni, a
chi spetta la spedizione. Valutate un indirizzo di reso locale (spesso offerto dalla
piattaforma o dal magazzino) per non riportare ogni pacco in Italia.

Usate i resi come informazione: se un prodotto torna spesso per la stessa ragione
(taglia, colore, aspettative), correggete la scheda prodotto prima di correggere il
prodotto.
""",
                    "es": """## Una devolución cuesta, un cliente perdido más

Una devolución internacional puede costar más que el propio producto. Antes de vender en el
extranjero decida una política clara: qué productos se pueden devolver, en cuántos días,
quién paga el envío. Valore una dirección de devolución local (a menudo la ofrecen la
plataforma o el almacén) para no traer cada paquete de vuelta.

Use las devoluciones como información: si un producto vuelve a menudo por la misma razón
(talla, color, expectativas), corrija la ficha de producto antes de corregir el producto.
""",
                    "en": """## A return costs money; a lost customer costs more

An international return can cost more than the product itself. Before selling abroad,
decide a clear policy: which products can be returned, within how many days, who pays for
shipping. Consider a local returns address (often offered by the platform or the
warehouse) so that not every parcel travels back home.

Use returns as information: if a product keeps coming back for the same reason (size,
colour, expectations), fix the product page before you fix the product.
""",
                },
            ),
        ),
    ),
    (
        {"it": "Pagamenti", "es": "Pagos", "en": "Payments"},
        (
            (
                {
                    "it": "Come pagano i clienti",
                    "es": "Cómo pagan los clientes",
                    "en": "How customers pay",
                },
                12,
                {
                    "it": """## Il metodo giusto per ogni paese

Le carte di pagamento dominano in Nord America e in parte dell'Europa; in Cina si paga
quasi sempre con i **portafogli digitali** e con il **codice QR**; in Italia e in Spagna
crescono i pagamenti con lo smartphone e i bonifici istantanei; in molti paesi emergenti
conta ancora il contrassegno.

Offrire il metodo che il cliente usa ogni giorno aumenta le conversioni più di qualsiasi
sconto. Le piattaforme internazionali di solito incassano con i metodi locali e vi pagano
in euro: chiedete quali metodi sono attivi in ciascun mercato e a quale costo.
""",
                    "es": """## El método adecuado para cada país

Las tarjetas dominan en Norteamérica y en parte de Europa; en China se paga casi siempre
con **monederos digitales** y **código QR**; en España y en Italia crecen los pagos con el
móvil y las transferencias inmediatas; en muchos países emergentes aún cuenta el pago
contra reembolso.

Ofrecer el método que el cliente usa cada día aumenta las conversiones más que cualquier
descuento. Las plataformas internacionales suelen cobrar con métodos locales y pagarle en
euros: pregunte qué métodos están activos en cada mercado y a qué coste.
""",
                    "en": """## The right method for each country

Cards dominate in North America and parts of Europe; in China people almost always pay
with **digital wallets** and **QR codes**; in Italy and Spain mobile payments and instant
transfers are growing; in many emerging markets cash on delivery still matters.

Offering the method customers use every day raises conversion more than any discount.
International platforms usually collect through local methods and pay you in euros: ask
which methods are active in each market and at what cost.
""",
                },
            ),
            (
                {
                    "it": "Valute, cambio e incassi",
                    "es": "Monedas, cambio y cobros",
                    "en": "Currencies, exchange and payouts",
                },
                14,
                {
                    "it": """## Il margine si perde anche nel cambio

Quando vendete in yuan, dollari o sterline e incassate in euro, tra l'ordine e
l'accredito il **tasso di cambio** può muoversi. A questo si aggiunge lo *spread*, la
differenza tra il cambio di mercato e quello applicato da chi converte.

Tre abitudini riducono il rischio:

- conoscete il tasso e lo spread applicati dalla piattaforma o dalla banca;
- fissate i prezzi in valuta locale con un piccolo margine di sicurezza e rivedeteli a date
  prestabilite;
- controllate i tempi di **regolamento**: un accredito ogni due settimane pesa sulla cassa
  di un'impresa piccola più di quanto sembri.
""",
                    "es": """## El margen también se pierde en el cambio

Cuando vende en yuanes, dólares o libras y cobra en euros, entre el pedido y el abono el
**tipo de cambio** puede moverse. A esto se suma el *diferencial*, la diferencia entre el
cambio de mercado y el que aplica quien convierte.

Tres hábitos reducen el riesgo:

- conozca el tipo y el diferencial que aplican la plataforma o el banco;
- fije los precios en moneda local con un pequeño margen de seguridad y revíselos en fechas
  fijas;
- controle los plazos de **liquidación**: un abono cada dos semanas pesa en la caja de una
  empresa pequeña más de lo que parece.
""",
                    "en": """## Margin is lost in the exchange, too

When you sell in yuan, dollars or pounds and get paid in euros, the **exchange rate** can
move between the order and the payout. On top of that comes the *spread*, the difference
between the market rate and the rate applied by whoever converts.

Three habits reduce the risk:

- know the rate and the spread your platform or bank applies;
- set prices in local currency with a small safety margin and review them on fixed dates;
- watch the **settlement** times: a payout every two weeks weighs on a small firm's cash
  more than it seems.
""",
                },
            ),
            (
                {
                    "it": "Fiducia: garanzie, frodi, contestazioni",
                    "es": "Confianza: garantías, fraude, disputas",
                    "en": "Trust: escrow, fraud, disputes",
                },
                12,
                {
                    "it": """## Quando compratore e venditore non si conoscono

Nel commercio tra imprese, soprattutto con un nuovo partner estero, il pagamento in
**garanzia** (*escrow*) protegge entrambi: il compratore paga a un terzo, il venditore
spedisce sapendo che i soldi ci sono, e il denaro passa al venditore solo alla consegna
conforme. Le piattaforme B2B lo offrono spesso come servizio.

Nelle vendite al consumatore attenzione alle **contestazioni** (*chargeback*): il cliente
chiede alla banca di annullare un pagamento. Conservate le prove di spedizione e consegna,
rispondete entro i termini e osservate i segnali di frode: indirizzi che non coincidono,
ordini molto grandi da clienti nuovi, molti tentativi di pagamento falliti.
""",
                    "es": """## Cuando comprador y vendedor no se conocen

En el comercio entre empresas, sobre todo con un nuevo socio extranjero, el pago en
**garantía** (*escrow*) protege a ambos: el comprador paga a un tercero, el vendedor envía
sabiendo que el dinero existe, y el importe pasa al vendedor solo con la entrega conforme.
Las plataformas B2B lo ofrecen a menudo como servicio.

En la venta al consumidor, cuidado con las **disputas** (*chargeback*): el cliente pide a su
banco que anule un pago. Conserve las pruebas de envío y entrega, responda dentro de plazo
y vigile las señales de fraude: direcciones que no coinciden, pedidos muy grandes de
clientes nuevos, muchos intentos de pago fallidos.
""",
                    "en": """## When buyer and seller do not know each other

In trade between firms, above all with a new foreign partner, an **escrow** payment
protects both: the buyer pays a third party, the seller ships knowing the money is there,
and it reaches the seller only when delivery is as agreed. B2B platforms often offer it as
a service.

In sales to consumers, watch for **chargebacks**: the customer asks their bank to reverse
a payment. Keep proof of shipping and delivery, answer within the deadlines, and look for
signs of fraud: mismatched addresses, very large orders from new customers, many failed
payment attempts.
""",
                },
            ),
        ),
    ),
)
