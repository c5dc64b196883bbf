"""The demo masterclass's tests: a quiz per module (6 questions of mixed types) and a final
exam (a bank of 30, 20 drawn per attempt, 60 minutes, pass mark 60 %), in Italian, Spanish
and English, with realistic attempts by the cohort's learners: most pass the final, some
fail and retry, a few never start it; scores and times are spread so the leaderboard has a
real top 10. Attempts and answers are written in bulk and marked by the same code that marks
a live attempt (``fiera.academy.grading``); each enrolment's best final attempt is copied to
its ``final_*`` fields, which the certificates demo reads (``final_passed_at``); no event is
published for demo passes.

Runs after the courses' demo: it looks up the cohort ``masterclass-2026`` and does nothing
when there is none. Deterministic (seeded) and quick (a few seconds).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from fiera.academy import grading
from fiera.academy.models import (
    Assessment,
    Attempt,
    AttemptAnswer,
    Cohort,
    Enrolment,
    Module,
    Question,
)

COHORT = "masterclass-2026"
FINAL_MINUTES = 60
QUIZ_MINUTES = 15


def _t(it: str, es: str, en: str) -> dict[str, str]:
    return {"it": it, "es": es, "en": en}


def _choices(*items: tuple[dict[str, str], int]) -> dict[str, Any]:
    return {
        "choices": [
            {"id": f"c{n}", "text": text, "weight": weight}
            for n, (text, weight) in enumerate(items, start=1)
        ]
    }


# The masterclass's question pool: digital transformation and the platform economy.
POOL: list[dict[str, Any]] = [
    {
        "kind": "single",
        "text": _t(
            "Che cos'è un effetto di rete?",
            "¿Qué es un efecto de red?",
            "What is a network effect?",
        ),
        "key": _choices(
            (
                _t(
                    "Il valore cresce con il numero degli utenti",
                    "El valor crece con el número de usuarios",
                    "Value grows with the number of users",
                ),
                100,
            ),
            (_t("Un guasto della rete", "Un fallo de la red", "A network outage"), 0),
            (_t("Un costo fisso", "Un coste fijo", "A fixed cost"), 0),
        ),
    },
    {
        "kind": "truefalse",
        "text": _t(
            "Un marketplace B2B collega più fornitori con più acquirenti aziendali.",
            "Un marketplace B2B conecta varios proveedores con varios compradores empresariales.",
            "A B2B marketplace connects many suppliers with many business buyers.",
        ),
        "key": {"answer": True},
    },
    {
        "kind": "multiple",
        "text": _t(
            "Quali sono modelli di ricavo di una piattaforma?",
            "¿Cuáles son modelos de ingresos de una plataforma?",
            "Which are revenue models of a platform?",
        ),
        "key": _choices(
            (_t("Commissioni sulle vendite", "Comisiones por venta", "Sales commissions"), 50),
            (_t("Abbonamenti", "Suscripciones", "Subscriptions"), 50),
            (_t("Dazi doganali", "Aranceles aduaneros", "Customs duties"), -50),
        ),
    },
    {
        "kind": "numeric",
        "text": _t(
            "Un prodotto costa 80 € e la commissione è del 15%: quanti euro di commissione?",
            "Un producto cuesta 80 € y la comisión es del 15%: ¿cuántos euros de comisión?",
            "A product costs €80 and the commission is 15%: how many euros of commission?",
        ),
        "key": {"answers": [{"value": "12", "tolerance": "0", "weight": 100}]},
    },
    {
        "kind": "short",
        "text": _t(
            "Come si chiama il negozio ufficiale di un marchio su un marketplace (in inglese)?",
            "¿Cómo se llama la tienda oficial de una marca en un marketplace (en inglés)?",
            "What is a brand's official store on a marketplace called?",
        ),
        "key": {
            "answers": [
                {"text": "flagship store", "weight": 100},
                {"text": "flagship", "weight": 100},
            ]
        },
    },
    {
        "kind": "matching",
        "text": _t(
            "Abbina il termine alla sua definizione",
            "Empareja el término con su definición",
            "Match the term with its definition",
        ),
        "key": {
            "pairs": [
                {
                    "id": "p1",
                    "left": _t("GMV", "GMV", "GMV"),
                    "right": _t(
                        "Valore lordo delle merci vendute",
                        "Valor bruto de la mercancía vendida",
                        "Gross value of goods sold",
                    ),
                },
                {
                    "id": "p2",
                    "left": _t("B2C", "B2C", "B2C"),
                    "right": _t(
                        "Vendita ai consumatori", "Venta a consumidores", "Selling to consumers"
                    ),
                },
                {
                    "id": "p3",
                    "left": _t("RFQ", "RFQ", "RFQ"),
                    "right": _t(
                        "Richiesta di offerta", "Solicitud de cotización", "Request for quotation"
                    ),
                },
            ]
        },
    },
    {
        "kind": "single",
        "text": _t(
            "Cosa misura il tasso di conversione?",
            "¿Qué mide la tasa de conversión?",
            "What does the conversion rate measure?",
        ),
        "key": _choices(
            (
                _t(
                    "Visitatori che acquistano sul totale",
                    "Visitantes que compran sobre el total",
                    "Visitors who buy out of all visitors",
                ),
                100,
            ),
            (_t("Il cambio valuta", "El tipo de cambio", "The exchange rate"), 0),
            (_t("Il margine lordo", "El margen bruto", "The gross margin"), 0),
        ),
    },
    {
        "kind": "truefalse",
        "text": _t(
            "Nel commercio transfrontaliero i dazi non dipendono mai dal paese di destinazione.",
            "En el comercio transfronterizo los aranceles nunca dependen del país de destino.",
            "In cross-border trade duties never depend on the destination country.",
        ),
        "key": {"answer": False},
    },
    {
        "kind": "numeric",
        "text": _t(
            "Quanti giorni dura di solito la finestra di reso nell'UE per gli acquisti online?",
            "¿Cuántos días dura el derecho de desistimiento en la UE para compras en línea?",
            "How many days is the EU withdrawal period for online purchases?",
        ),
        "key": {"answers": [{"value": "14", "tolerance": "0", "weight": 100}]},
    },
    {
        "kind": "short",
        "text": _t(
            "Quale codice doganale internazionale classifica le merci (sigla)?",
            "¿Qué código aduanero internacional clasifica las mercancías (sigla)?",
            "Which international customs code classifies goods (abbreviation)?",
        ),
        "key": {"answers": [{"text": "HS", "weight": 100}, {"text": "SA", "weight": 100}]},
    },
    {
        "kind": "multiple",
        "text": _t(
            "Quali dati servono per vendere all'estero?",
            "¿Qué datos hacen falta para vender al extranjero?",
            "Which data do you need to sell abroad?",
        ),
        "key": _choices(
            (_t("Codice HS", "Código HS", "HS code"), 50),
            (_t("Paese di origine", "País de origen", "Country of origin"), 50),
            (_t("Colore del logo", "Color del logo", "Logo colour"), -100),
        ),
    },
    {
        "kind": "single",
        "text": _t(
            "Cos'è una flash sale?",
            "¿Qué es una venta flash?",
            "What is a flash sale?",
        ),
        "key": _choices(
            (
                _t(
                    "Una vendita a prezzo speciale per poco tempo e quantità limitata",
                    "Una venta a precio especial por poco tiempo y cantidad limitada",
                    "A special-price sale for a short time and limited quantity",
                ),
                100,
            ),
            (_t("Un pagamento istantaneo", "Un pago instantáneo", "An instant payment"), 0),
            (_t("Un reso rapido", "Una devolución rápida", "A quick return"), 0),
        ),
    },
    {
        "kind": "numeric",
        "text": _t(
            "Ricavi 1.000 €, costi 750 €: qual è il margine in percentuale?",
            "Ingresos 1.000 €, costes 750 €: ¿cuál es el margen en porcentaje?",
            "Revenue €1,000, costs €750: what is the margin in per cent?",
        ),
        "key": {
            "answers": [
                {"value": "25", "tolerance": "0.5", "weight": 100},
                {"min": "20", "max": "30", "weight": 50},
            ]
        },
    },
    {
        "kind": "truefalse",
        "text": _t(
            "Un pagamento in garanzia (escrow) protegge sia l'acquirente sia il fornitore.",
            "Un pago en garantía (escrow) protege tanto al comprador como al proveedor.",
            "An escrow payment protects both the buyer and the supplier.",
        ),
        "key": {"answer": True},
    },
    {
        "kind": "matching",
        "text": _t(
            "Abbina il canale al suo obiettivo",
            "Empareja el canal con su objetivo",
            "Match the channel with its goal",
        ),
        "key": {
            "pairs": [
                {
                    "id": "p1",
                    "left": _t("Marketplace", "Marketplace", "Marketplace"),
                    "right": _t(
                        "Raggiungere nuovi clienti",
                        "Llegar a nuevos clientes",
                        "Reach new customers",
                    ),
                },
                {
                    "id": "p2",
                    "left": _t("Newsletter", "Boletín", "Newsletter"),
                    "right": _t(
                        "Fidelizzare i clienti", "Fidelizar a los clientes", "Keep customers"
                    ),
                },
                {
                    "id": "p3",
                    "left": _t("Live streaming", "Directo", "Live streaming"),
                    "right": _t("Vendere in diretta", "Vender en directo", "Sell live"),
                },
            ]
        },
    },
    {
        "kind": "short",
        "text": _t(
            "Come si chiama la vendita diretta al consumatore, senza intermediari (sigla)?",
            "¿Cómo se llama la venta directa al consumidor, sin intermediarios (sigla)?",
            "What is selling directly to consumers, without middlemen, called (abbreviation)?",
        ),
        "key": {"answers": [{"text": "D2C", "weight": 100}, {"text": "DTC", "weight": 100}]},
    },
    {
        "kind": "single",
        "text": _t(
            "Qual è il primo passo di una trasformazione digitale?",
            "¿Cuál es el primer paso de una transformación digital?",
            "What is the first step of a digital transformation?",
        ),
        "key": _choices(
            (
                _t(
                    "Capire i clienti e i processi",
                    "Entender a los clientes y los procesos",
                    "Understand customers and processes",
                ),
                100,
            ),
            (_t("Comprare server", "Comprar servidores", "Buy servers"), 0),
            (_t("Cambiare logo", "Cambiar el logo", "Change the logo"), 0),
        ),
    },
    {
        "kind": "multiple",
        "text": _t(
            "Quali metriche guardano le piattaforme?",
            "¿Qué métricas miran las plataformas?",
            "Which metrics do platforms watch?",
        ),
        "key": _choices(
            (_t("Utenti attivi", "Usuarios activos", "Active users"), 34),
            (_t("GMV", "GMV", "GMV"), 33),
            (_t("Tasso di riacquisto", "Tasa de recompra", "Repeat purchase rate"), 33),
            (_t("Numero di sedie in ufficio", "Número de sillas", "Office chairs"), -100),
        ),
    },
    {
        "kind": "truefalse",
        "text": _t(
            "Il prezzo in valuta locale aumenta di solito le conversioni all'estero.",
            "El precio en moneda local suele aumentar las conversiones en el extranjero.",
            "Prices in local currency usually raise conversions abroad.",
        ),
        "key": {"answer": True},
    },
    {
        "kind": "numeric",
        "text": _t(
            "Su 2.000 visite 50 ordini: tasso di conversione in percentuale?",
            "De 2.000 visitas 50 pedidos: ¿tasa de conversión en porcentaje?",
            "2,000 visits, 50 orders: conversion rate in per cent?",
        ),
        "key": {"answers": [{"value": "2.5", "tolerance": "0.05", "weight": 100}]},
    },
    {
        "kind": "single",
        "text": _t(
            "Cosa offre un padiglione nazionale su un marketplace B2B?",
            "¿Qué ofrece un pabellón nacional en un marketplace B2B?",
            "What does a country pavilion on a B2B marketplace offer?",
        ),
        "key": _choices(
            (
                _t(
                    "Visibilità comune ai fornitori di un paese",
                    "Visibilidad común a los proveedores de un país",
                    "Shared visibility for a country's suppliers",
                ),
                100,
            ),
            (_t("Spedizioni gratuite", "Envíos gratis", "Free shipping"), 0),
            (_t("Prestiti bancari", "Préstamos bancarios", "Bank loans"), 0),
        ),
    },
    {
        "kind": "short",
        "text": _t(
            "In quale città cinese si tiene la più grande fiera d'esportazione (Canton Fair)?",
            "¿En qué ciudad china se celebra la mayor feria de exportación (Canton Fair)?",
            "In which Chinese city is the biggest export fair (Canton Fair) held?",
        ),
        "key": {
            "answers": [
                {"text": "Guangzhou", "weight": 100},
                {"text": "Canton", "weight": 100},
                {"text": "Cantón", "weight": 100},
            ]
        },
    },
    {
        "kind": "truefalse",
        "text": _t(
            "Un MOQ è la quantità massima che un acquirente può ordinare.",
            "Un MOQ es la cantidad máxima que un comprador puede pedir.",
            "An MOQ is the largest quantity a buyer may order.",
        ),
        "key": {"answer": False},
    },
    {
        "kind": "matching",
        "text": _t(
            "Abbina il documento al suo uso",
            "Empareja el documento con su uso",
            "Match the document with its use",
        ),
        "key": {
            "pairs": [
                {
                    "id": "p1",
                    "left": _t("Fattura proforma", "Factura proforma", "Proforma invoice"),
                    "right": _t(
                        "Offerta prima dell'ordine",
                        "Oferta antes del pedido",
                        "Offer before the order",
                    ),
                },
                {
                    "id": "p2",
                    "left": _t("Packing list", "Lista de empaque", "Packing list"),
                    "right": _t(
                        "Contenuto dei colli", "Contenido de los bultos", "What the parcels hold"
                    ),
                },
                {
                    "id": "p3",
                    "left": _t(
                        "Certificato d'origine", "Certificado de origen", "Certificate of origin"
                    ),
                    "right": _t(
                        "Dove è prodotta la merce",
                        "Dónde se produce la mercancía",
                        "Where goods are made",
                    ),
                },
            ]
        },
    },
    {
        "kind": "single",
        "text": _t(
            "Quale Incoterm lascia all'acquirente trasporto e rischi dalla fabbrica?",
            "¿Qué Incoterm deja al comprador el transporte y los riesgos desde la fábrica?",
            "Which Incoterm leaves transport and risk to the buyer from the factory?",
        ),
        "key": _choices(
            (_t("EXW", "EXW", "EXW"), 100),
            (_t("DDP", "DDP", "DDP"), 0),
            (_t("CIF", "CIF", "CIF"), 0),
        ),
    },
    {
        "kind": "numeric",
        "text": _t(
            "Un cliente vale 40 € di margine l'anno per 3 anni: valore del cliente in euro?",
            "Un cliente deja 40 € de margen al año durante 3 años: ¿valor del cliente en euros?",
            "A customer brings €40 margin a year for 3 years: customer value in euros?",
        ),
        "key": {"answers": [{"value": "120", "tolerance": "0", "weight": 100}]},
    },
    {
        "kind": "multiple",
        "text": _t(
            "Cosa rende affidabile un fornitore online?",
            "¿Qué hace fiable a un proveedor en línea?",
            "What makes an online supplier trustworthy?",
        ),
        "key": _choices(
            (
                _t("Verifiche indipendenti", "Verificaciones independientes", "Independent checks"),
                50,
            ),
            (_t("Recensioni reali", "Reseñas reales", "Real reviews"), 50),
            (_t("Prezzi sempre più bassi", "Precios siempre más bajos", "Ever lower prices"), 0),
        ),
    },
    {
        "kind": "truefalse",
        "text": _t(
            "Un QR code di pagamento EMVCo funziona con più app di pagamento.",
            "Un código QR de pago EMVCo funciona con varias apps de pago.",
            "An EMVCo payment QR code works with several payment apps.",
        ),
        "key": {"answer": True},
    },
    {
        "kind": "short",
        "text": _t(
            "Come si chiama il giorno dello shopping cinese dell'11 novembre (in inglese)?",
            "¿Cómo se llama el día de compras chino del 11 de noviembre (en inglés)?",
            "What is China's 11 November shopping day called?",
        ),
        "key": {
            "answers": [
                {"text": "Singles Day", "weight": 100},
                {"text": "Double 11", "weight": 100},
                {"text": "11.11", "weight": 100},
            ]
        },
    },
    {
        "kind": "single",
        "text": _t(
            "Cos'è un open badge verificabile?",
            "¿Qué es un open badge verificable?",
            "What is a verifiable open badge?",
        ),
        "key": _choices(
            (
                _t(
                    "Un attestato firmato che chiunque può verificare",
                    "Un certificado firmado que cualquiera puede verificar",
                    "A signed credential anyone can verify",
                ),
                100,
            ),
            (_t("Un'immagine sul sito", "Una imagen en la web", "A picture on a website"), 0),
            (_t("Una password", "Una contraseña", "A password"), 0),
        ),
    },
]


def _response(entry: dict[str, Any], key: dict[str, Any], right: bool, rng: random.Random) -> Any:
    """A learner's answer, right or plausibly wrong, in paper positions."""
    kind = entry["k"]
    if kind in ("single", "multiple"):
        weights = {c["id"]: int(c["weight"]) for c in key["choices"]}
        good = [i for i, c in enumerate(entry["c"]) if weights[c] > 0]
        bad = [i for i, c in enumerate(entry["c"]) if weights[c] <= 0]
        if kind == "single":
            return {"choice": good[0] if right else rng.choice(bad)}
        if right:
            return {"choices": good}
        return {"choices": sorted({good[0], rng.choice(bad)})}
    if kind == "truefalse":
        return {"value": key["answer"] if right else not key["answer"]}
    if kind == "numeric":
        value = key["answers"][0]["value"]
        return {"value": value if right else str(int(float(value)) + rng.randint(1, 9))}
    if kind == "short":
        return {"text": key["answers"][0]["text"] if right else rng.choice(["?", "non so", "web"])}
    n = len(entry["l"])
    matches = [entry["r"].index(p) for p in entry["l"]]
    if not right:
        matches[0], matches[1 % n] = matches[1 % n], matches[0]
    return {"matches": matches}


def _sit(
    *,
    attempt: Attempt,
    bank: Sequence[Question],
    draw: int | None,
    ability: float,
    rng: random.Random,
    answers: list[AttemptAnswer],
    pass_mark: int,
    auto: bool,
) -> None:
    """Fill an attempt's paper, answers and marks (an ``ability`` chance per question)."""
    chosen = rng.sample(list(bank), draw) if draw and draw < len(bank) else list(bank)
    rng.shuffle(chosen)
    paper = [grading.paper_entry(q.pk, q.kind, q.key, shuffle=True, rng=rng) for q in chosen]
    marks = []
    for entry, q in zip(paper, chosen, strict=True):
        if auto and rng.random() < 0.15:
            marks.append((q.points, 0))
            continue
        response = _response(entry, q.key, rng.random() < ability, rng)
        credit = grading.credit_permille(entry, q.key, response)
        marks.append((q.points, credit))
        answers.append(
            AttemptAnswer(
                attempt=attempt,
                question=q,
                response=response,
                saved_at=attempt.started_at,  # replaced below, before the deadline
                credit_permille=credit,
            )
        )
    attempt.paper = paper
    attempt.score_permille = grading.score_permille(marks)
    attempt.passed = attempt.score_permille >= pass_mark * 10


def build_academy_exams(*, now: datetime, seed: int) -> str:
    """Build the masterclass's quizzes, final exam and attempts; the line ``fiera demo``
    prints."""
    cohort = Cohort.objects.select_related("course").filter(slug=COHORT).first()
    if cohort is None:
        return "academy tests  skipped (no cohort masterclass-2026)"
    rng = random.Random(seed * 104_729 + 7)
    course = cohort.course
    with transaction.atomic():
        Assessment.objects.filter(course=course).delete()
        created = now - timedelta(days=60)
        modules = list(Module.objects.filter(course=course).order_by("position"))
        quizzes: list[tuple[Assessment, list[Question]]] = []
        for m in modules:
            quiz = Assessment.objects.create(
                course=course,
                module=m,
                kind="quiz",
                title=_t(
                    f"Quiz del modulo {m.position}",
                    f"Cuestionario del módulo {m.position}",
                    f"Module {m.position} quiz",
                ),
                time_limit_seconds=QUIZ_MINUTES * 60,
                attempts_allowed=3,
                pass_mark_percent=60,
                created_at=created,
            )
            picks = [POOL[(m.position * 6 + n) % len(POOL)] for n in range(6)]
            quizzes.append((quiz, _bank(quiz, picks, created)))
        final = Assessment.objects.create(
            course=course,
            kind="final",
            title=_t("Esame finale", "Examen final", "Final exam"),
            time_limit_seconds=FINAL_MINUTES * 60,
            attempts_allowed=3,
            pass_mark_percent=60,
            questions_per_attempt=20,
            created_at=created,
        )
        final_bank = _bank(final, POOL[:30], created)

        enrolments = list(Enrolment.objects.filter(cohort=cohort).order_by("id"))
        attempts: list[Attempt] = []
        pending: list[tuple[Attempt, list[AttemptAnswer]]] = []
        start_day = datetime.combine(cohort.starts_on, datetime.min.time(), tzinfo=now.tzinfo)
        span = max(1, (now - start_day).days - 2)
        for e in enrolments:
            ability = min(0.95, max(0.25, rng.gauss(0.70, 0.13)))
            for quiz, bank in quizzes:
                if rng.random() < 0.08:
                    continue
                number = 1
                while number <= 3:
                    at = start_day + timedelta(
                        days=rng.randint(0, span), minutes=rng.randint(0, 600)
                    )
                    at = min(at, now - timedelta(hours=2))
                    attempt, answers = _attempt(
                        e, quiz, number, at, QUIZ_MINUTES, bank, None, ability, rng
                    )
                    attempts.append(attempt)
                    pending.append((attempt, answers))
                    if attempt.passed or rng.random() < 0.5:
                        break
                    number += 1
            if rng.random() < 0.06:
                continue
            number = 1
            while number <= 3:
                at = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
                attempt, answers = _attempt(
                    e, final, number, at, FINAL_MINUTES, final_bank, 20, ability, rng
                )
                attempts.append(attempt)
                pending.append((attempt, answers))
                if attempt.passed or rng.random() < 0.35:
                    break
                ability = min(0.95, ability + 0.06)  # studied before retrying
                number += 1
        Attempt.objects.bulk_create(attempts, batch_size=500)
        answers_all: list[AttemptAnswer] = []
        for attempt, answers in pending:
            for answer in answers:
                answer.attempt = attempt
                answer.saved_at = attempt.started_at + (
                    (attempt.submitted_at or attempt.deadline_at) - attempt.started_at
                ) * rng.uniform(0.1, 0.95)
                answers_all.append(answer)
        AttemptAnswer.objects.bulk_create(answers_all, batch_size=2000)

        best: dict[int, Attempt] = {}
        first_pass: dict[int, datetime] = {}
        for a in attempts:
            if a.assessment_id != final.pk:
                continue
            seconds = int(((a.submitted_at or a.deadline_at) - a.started_at).total_seconds())
            current = best.get(a.enrolment_id)
            if current is None or (a.score_permille or 0, -seconds) > (
                current.score_permille or 0,
                -int(((current.submitted_at or now) - current.started_at).total_seconds()),
            ):
                best[a.enrolment_id] = a
            if a.passed and a.submitted_at:
                first_pass.setdefault(a.enrolment_id, a.submitted_at)
        by_id = {e.pk: e for e in enrolments}
        passed = 0
        for enrolment_id, a in best.items():
            e = by_id[enrolment_id]
            e.final_score_permille = a.score_permille
            e.final_seconds = int(((a.submitted_at or now) - a.started_at).total_seconds())
            e.final_passed_at = a.submitted_at if a.passed else None
            passed += 1 if a.passed else 0
        Enrolment.objects.bulk_update(
            enrolments, ["final_score_permille", "final_seconds", "final_passed_at"], batch_size=500
        )
    return (
        f"academy tests  {len(quizzes)} module quizzes and a final exam (bank 30, 20 drawn), "
        f"{len(attempts)} attempts, {len(answers_all)} answers; final: {len(best)} sat it, "
        f"{passed} passed (fiera.demo.academy_exams)"
    )


def _bank(a: Assessment, questions: Sequence[dict[str, Any]], created: datetime) -> list[Question]:
    return Question.objects.bulk_create(
        Question(assessment=a, position=n, created_at=created, points=1, **q)
        for n, q in enumerate(questions, start=1)
    )


def _attempt(
    e: Enrolment,
    a: Assessment,
    number: int,
    at: datetime,
    minutes: int,
    bank: Sequence[Question],
    draw: int | None,
    ability: float,
    rng: random.Random,
) -> tuple[Attempt, list[AttemptAnswer]]:
    auto = rng.random() < 0.05
    took = minutes * 60 if auto else int(minutes * 60 * rng.uniform(0.25, 0.95))
    attempt = Attempt(
        enrolment=e,
        assessment=a,
        number=number,
        started_at=at,
        deadline_at=at + timedelta(minutes=minutes),
        submitted_at=at + timedelta(seconds=took),
        auto_submitted=auto,
    )
    answers: list[AttemptAnswer] = []
    _sit(
        attempt=attempt,
        bank=bank,
        draw=draw,
        ability=ability,
        rng=rng,
        answers=answers,
        pass_mark=a.pass_mark_percent,
        auto=auto,
    )
    return attempt, answers
