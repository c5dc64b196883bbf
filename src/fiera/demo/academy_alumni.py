"""The demo's alumni community for the masterclass cohort ("masterclass-2026"): about half
of its certified founders opt in to the directory (their company taken from the demo
merchant they own, else typed, with a headline in their language), and a board of a dozen
posts with about thirty replies in Italian, Spanish and English, about what founders talk
about after the course: selling olive oil to China, customs paperwork, festival results, the
headquarters visit of the top ten. Everything goes through ``fiera.academy.services``.

Without the cohort (the courses demo did not run) it does nothing. Repeatable: the same seed
picks the same people and texts; times move with ``now``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from fiera.academy.models import AlumniPost, AlumniProfile, Cohort, Enrolment
from fiera.academy.services import alumni_post_create, alumni_profile_save, alumni_reply_create
from fiera.accounts.roles import SYSTEM
from fiera.accounts.selectors import user_ids_by_username, user_summaries
from fiera.merchants.selectors import merchant_ids_for_user, sector_list

COHORT = "masterclass-2026"

HEADLINES = {
    "it": (
        "Olio extravergine dalla Puglia, ora anche a Shanghai",
        "Vini del Piemonte per ristoranti in Asia",
        "Ceramiche fatte a mano, vendo online in 12 paesi",
        "Pasta artigianale: dal mercato locale all'export",
        "Moda sostenibile, cerco partner per la logistica in Cina",
        "Formaggi DOP, primi ordini B2B dall'estero",
        "Cosmetici naturali, punto vendita e negozio online",
        "Caffè torrefatto a Napoli, spediamo in tutta Europa",
    ),
    "es": (
        "Aceite de oliva de Jaén, exportando a China",
        "Vinos de Rioja para importadores asiáticos",
        "Jamón ibérico: primeros pedidos mayoristas fuera de la UE",
        "Calzado artesanal de Elche, venta online internacional",
        "Conservas del Cantábrico, buscando distribuidores",
        "Cosmética natural hecha en Valencia",
        "Turrón y dulces de Alicante para tiendas gourmet",
    ),
}
COMPANIES = {
    "it": ("Frantoio", "Cantina", "Laboratorio", "Pastificio", "Bottega", "Caseificio"),
    "es": ("Almazara", "Bodegas", "Taller", "Conservas", "Obrador", "Calzados"),
}
SECTOR_BY_COMPANY = {
    "Frantoio": "food-wine",
    "Cantina": "wine-spirits",
    "Laboratorio": "ceramics-glass",
    "Pastificio": "food-wine",
    "Bottega": "design-furniture",
    "Caseificio": "food-wine",
    "Almazara": "food-wine",
    "Bodegas": "wine-spirits",
    "Taller": "design-furniture",
    "Conservas": "food-wine",
    "Obrador": "food-wine",
    "Calzados": "fashion",
}
SURNAMES = ("Rossi", "Bianchi", "Greco", "Costa", "García", "Martín", "Ruiz", "Navarro")

# (language, title, body, replies as (language, body))
THREADS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "it",
        "Olio in Cina: chi ha già trovato un importatore?",
        "Dopo il modulo sul cross-border abbiamo aperto lo store sul marketplace cinese. "
        "Le prime 40 bottiglie sono partite, ma per il **canale B2B** serve un importatore "
        "con licenza. Qualcuno ha un contatto affidabile a Shanghai o Shenzhen?",
        (
            ("it", "Noi lavoriamo con un importatore di Ningbo da sei mesi: ti scrivo in privato."),
            (
                "es",
                "Nosotros igual: aceite de Jaén. El importador pide la etiqueta en chino "
                "antes del primer envío, prepáralo con tiempo.",
            ),
            ("en", "Ask for their CIQ registration number first. It saved us two weeks."),
        ),
    ),
    (
        "es",
        "Papeleo de aduanas para China: lo que aprendí",
        "Resumen de nuestro primer envío de aceite:\n\n"
        "1. Registro del exportador en el sistema chino (CIFER)\n"
        "2. Certificado de origen y certificado sanitario\n"
        "3. Etiqueta trasera en chino, **antes** de embarcar\n\n"
        "Tardamos cinco semanas. ¿A alguien le fue más rápido?",
        (
            ("it", "Grazie, utilissimo. Noi ci abbiamo messo due mesi per l'etichetta."),
            ("es", "El registro CIFER fue lo más lento para nosotros. Muy buen resumen."),
            ("it", "Aggiungerei: controllate il codice HS prima, cambia il dazio."),
        ),
    ),
    (
        "en",
        "Festival results: our 11.11 in numbers",
        "We joined the 11.11 festival with a flash sale on gift boxes. 380 orders in one day, "
        "most from Shanghai and Hangzhou. The lesson: **stock in the bonded warehouse** a "
        "month before, not a week.",
        (
            ("it", "Complimenti! Noi 120 ordini, ma tutti con spedizione diretta."),
            ("es", "Enhorabuena. ¿Qué descuento pusisteis en la venta flash?"),
            ("en", "25% off for the first 200 units, then 15%."),
        ),
    ),
    (
        "it",
        "Visita alla sede per i primi 10: organizziamoci",
        "Siamo nella top 10 della classifica finale! La visita alla sede è a marzo. "
        "Proposta: ci troviamo la sera prima per una cena, così ci conosciamo di persona.",
        (
            ("es", "¡Cuenta conmigo! Llego desde Sevilla el día antes."),
            ("it", "Ci sono anche io. Porto due bottiglie del nostro rosso."),
            ("en", "Great idea. Could we also prepare questions for the platform team?"),
        ),
    ),
    (
        "es",
        "¿Precios en euros o en yuanes?",
        "En el marketplace transfronterizo podemos mostrar el precio en CNY. "
        "¿Lo fijáis en yuanes o dejáis que se convierta desde euros cada día?",
        (
            (
                "it",
                "Noi lo fissiamo in CNY e lo rivediamo ogni mese: i clienti odiano i "
                "prezzi che cambiano.",
            ),
            ("en", "Fixed in CNY here too, with a margin for the exchange rate."),
        ),
    ),
    (
        "it",
        "Workshop sul live commerce: materiali",
        "Qualcuno ha salvato le slide del workshop sul live commerce? Il link del corso "
        "non mi si apre più.",
        (
            ("it", "Sono nel modulo 4, alla fine della lezione sulle dirette."),
            ("es", "Las tengo en PDF, te las paso."),
        ),
    ),
    (
        "en",
        "Looking for a shared container to Shanghai in April",
        "We have about 6 pallets of wine and olive oil. Anyone shipping in April who wants to "
        "share a 20-foot container? It halves the freight.",
        (
            ("it", "Noi abbiamo 3 pallet di pasta, partiamo da Bari. Sentiamoci."),
            ("es", "Nosotros 4 palés de conservas desde Vigo, ¿os encaja?"),
            ("en", "Let's set up a call next week, the three of us."),
        ),
    ),
    (
        "es",
        "Certificado del máster: ¿dónde lo compartís?",
        "Ya tengo el certificado verificable. Lo he puesto en la web de la empresa con el "
        "enlace de verificación. ¿Lo usáis con importadores?",
        (
            ("it", "L'ho mandato a un buyer di Hong Kong: l'ha verificato da solo in un minuto."),
            ("en", "Same here, it helps at trade fairs."),
        ),
    ),
    (
        "it",
        "Recensioni negative dal mercato cinese",
        "Prima recensione a una stella: la bottiglia è arrivata rotta. Come gestite i resi "
        "dall'estero? Rimborso subito o chiedete le foto?",
        (
            ("es", "Foto siempre, y reembolso rápido. La reputación vale más que una botella."),
            ("it", "Abbiamo cambiato imballo: scatola con separatori, zero rotture da allora."),
            ("en", "Reply publicly to the review too; buyers read the answers."),
        ),
    ),
    (
        "en",
        "Thank you, teachers",
        "Six months ago I did not know what a bonded warehouse was. Today we ship to three "
        "countries. Thanks to the teachers and to all of you on this board.",
        (
            ("it", "Grazie a te, i tuoi messaggi sulla logistica mi hanno aiutato tantissimo."),
            ("es", "¡Gracias a todos! Seguimos en contacto."),
        ),
    ),
    (
        "es",
        "Ferias en 2027: ¿quién va a Canton Fair?",
        "Estamos pensando en ir a la Canton Fair de primavera. ¿Alguien más? Podríamos "
        "compartir stand en el pabellón europeo.",
        (
            ("it", "Noi andiamo al SIAL Shanghai, ma Canton ci interessa per il 2028."),
            ("es", "Nosotros vamos. Hablemos del stand."),
            ("en", "We went last year: book hotels now, they fill up fast."),
        ),
    ),
    (
        "it",
        "Fatturazione elettronica e vendite all'estero",
        "Domanda pratica: per le vendite B2C in Cina emettete fattura elettronica anche se "
        "il cliente non ha partita IVA? Il commercialista non è sicuro.",
        (
            ("it", "Sì, va emessa comunque e trasmessa allo SDI come operazione estera."),
            ("es", "En España pasa lo mismo con el SII. Mejor consultarlo con la gestoría."),
        ),
    ),
)


def _people(cohort: Cohort) -> list[Enrolment]:
    return list(Enrolment.objects.filter(cohort=cohort, certified_at__isnull=False).order_by("id"))


def build_academy_alumni(*, now: datetime, seed: int = 11) -> str:
    """Opt about half the certified founders of the masterclass into the directory and
    write the board; returns the summary line. Without the cohort, nothing is written."""
    cohort = Cohort.objects.filter(slug=COHORT).first()
    if cohort is None:
        return f"alumni         skipped: no cohort {COHORT!r}"
    rng = random.Random(seed * 1009 + 7)
    certified = _people(cohort)
    if not certified:
        return f"alumni         skipped: nobody certified in {COHORT!r}"
    AlumniPost.objects.all().delete()
    AlumniProfile.objects.filter(user_id__in=[e.user_id for e in certified]).delete()
    chosen = rng.sample(certified, k=max(1, len(certified) // 2))
    # the README's `learner` is in the directory when certified (the journey it shows)
    readme = user_ids_by_username(usernames=["learner"]).get("learner")
    chosen += [e for e in certified if e.user_id == readme and e not in chosen]
    chosen = sorted(chosen, key=lambda e: e.pk)
    names = user_summaries(user_ids=[e.user_id for e in chosen])
    sectors = {s.slug for s in sector_list()}
    for e in chosen:
        language = "es" if e.language.startswith("es") else "it"
        merchants = merchant_ids_for_user(user_id=e.user_id)
        company = "" if merchants else f"{rng.choice(COMPANIES[language])} {rng.choice(SURNAMES)}"
        alumni_profile_save(
            actor_id=e.user_id,
            actor_role=SYSTEM,
            listed=True,
            name=_name(names.get(e.user_id), e.user_id),
            headline=rng.choice(HEADLINES[language]),
            company_merchant_id=merchants[0] if merchants else None,
            company_name=company,
            sector_slug=_sector(company, sectors),
            country="ES" if language == "es" else "IT",
            contact="email" if rng.random() < 0.3 else "none",
            now=now - timedelta(days=rng.randint(1, 20)),
        )
    authors = [e.user_id for e in certified]
    posts = replies = 0
    start = now - timedelta(days=len(THREADS) * 2 + 1)
    for n, (_lang, title, body, answers) in enumerate(THREADS):
        at = start + timedelta(days=2 * n, hours=rng.randint(8, 19), minutes=rng.randint(0, 59))
        author = rng.choice(authors)
        made = alumni_post_create(
            actor_id=author, actor_role=SYSTEM, title=title, body=body, now=at
        )
        posts += 1
        for k, (_reply_lang, text) in enumerate(answers):
            replier = rng.choice([a for a in authors if a != author] or authors)
            alumni_reply_create(
                post_id=made.id,
                actor_id=replier,
                actor_role=SYSTEM,
                body=text,
                now=at + timedelta(hours=k * 3 + rng.randint(1, 3), minutes=rng.randint(0, 59)),
            )
            replies += 1
    return (
        f"alumni         {len(chosen)} of {len(certified)} certified founders of {COHORT} "
        f"in the directory, {posts} board posts with {replies} replies (it/es/en)"
    )


def _name(summary: object | None, user_id: int) -> str:
    full_name = getattr(summary, "full_name", "") or getattr(summary, "username", "")
    return str(full_name) or f"Alumnus {user_id}"


def _sector(company: str, known: set[str]) -> str:
    """The sector slug for a typed company, when the demo's sectors have it."""
    slug = SECTOR_BY_COMPANY.get(company.split(" ")[0], "") if company else ""
    return slug if slug in known else ""
