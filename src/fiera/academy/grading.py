"""Answer keys, the learner's view of a question, and marking: pure functions, no database.

The key of a question (``Question.key``), by kind:

- ``single`` / ``multiple``: ``{"choices": [{"id": "c1", "text": {lang: str}, "weight": W}]}``
  with ``W`` a percentage of the question's points from -100 to 100 (a single choice has one
  choice at 100; a multiple choice's positive weights add up to 100 and wrong choices may
  take points away, the total never below 0).
- ``truefalse``: ``{"answer": true}``.
- ``numeric``: ``{"answers": [{"value": "3.14", "tolerance": "0.01", "weight": 100} |
  {"min": "1.5", "max": "2", "weight": 100}]}`` (decimal strings; the best match counts).
- ``short``: ``{"answers": [{"text": "Roma", "weight": 100}]}``: letter case and runs of
  spaces ignored; ``"*"`` accepts any answer (Moodle's wildcard).
- ``matching``: ``{"pairs": [{"id": "p1", "left": {lang: str}, "right": {lang: str}}]}``; a
  pair with an empty ``left`` is an extra (wrong) option of the right column.

What a learner sees and answers refers to positions on their own paper, never to ids of the
key, so neither the ids nor their order tell which choice is right. A paper entry
(``Attempt.paper``) is ``{"q": question id, "k": kind, "c": [choice ids as shown],
"l": [pair ids of the left column as shown], "r": [pair ids of the right column as shown]}``
and a response is, by kind: ``{"choice": i}``, ``{"choices": [i, ...]}``, ``{"value": bool}``,
``{"value": "3.14"}``, ``{"text": "..."}``, ``{"matches": [right position or null for each
left position]}``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from fiera.academy.text import pick
from fiera.common.errors import InvalidInput

KINDS = ("single", "multiple", "truefalse", "numeric", "short", "matching")
SHORT_TEXT_MAX = 500
NUMBER_MAX = 40


class BadKey(InvalidInput):
    code = "question_key_invalid"
    message_template = _("The question's answers are not complete: %(reason)s")


class BadResponse(InvalidInput):
    code = "answer_invalid"
    message_template = _("This answer does not fit the question: %(reason)s")


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    text = str(raw).strip().replace(",", ".")
    if not text or len(text) > NUMBER_MAX:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


HUNDRED = Decimal(100)
SUM_TOLERANCE = Decimal("0.01")  # Moodle's thirds (33.33333 x 3) add up to 99.99999


def weight_of(item: Mapping[str, Any], default: int = 100) -> Decimal | None:
    """A weight in per cent (an int, or a decimal string like "33.33333"; ``default`` when
    absent); None when it is not a number."""
    raw = item.get("weight", default)
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None
    return _decimal(raw)


def _permille(percent: Decimal) -> int:
    """Per cent to per mille, between 0 and 1000; within Moodle's tolerance of 100 is 1000."""
    if percent >= HUNDRED - SUM_TOLERANCE:
        return 1000
    return max(0, int(percent * 10))


def normalise_text(text: str) -> str:
    """Short answers compare without letter case and with runs of spaces as one."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def _texts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        and any(v.strip() for v in value.values())
    )


def key_check(kind: str, key: Any) -> dict[str, Any]:
    """``key`` if it is a complete answer key for ``kind``; else :class:`BadKey` with the
    reason in words."""
    if kind not in KINDS:
        raise BadKey(f"unknown kind {kind!r}", reason=_("unknown question type."))
    if not isinstance(key, dict):
        raise BadKey("key is not an object", reason=_("the answers are missing."))
    if kind in ("single", "multiple"):
        choices = key.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            raise BadKey("fewer than two choices", reason=_("give at least two choices."))
        ids = set()
        for choice in choices:
            if not isinstance(choice, dict) or not _texts(choice.get("text")):
                raise BadKey("choice without text", reason=_("every choice needs a text."))
            weight = weight_of(choice, 0)
            if weight is None or not -100 <= weight <= 100:
                raise BadKey("bad weight", reason=_("weights go from -100 to 100 per cent."))
            if not isinstance(choice.get("id"), str) or choice["id"] in ids:
                raise BadKey("choice ids", reason=_("every choice needs its own id."))
            ids.add(choice["id"])
        weights = [weight_of(c, 0) or Decimal(0) for c in choices]
        if kind == "single" and max(weights) != HUNDRED:
            raise BadKey("no right choice", reason=_("mark one choice as right (100%)."))
        if kind == "multiple" and abs(sum(w for w in weights if w > 0) - HUNDRED) > SUM_TOLERANCE:
            raise BadKey(
                "positive weights do not add to 100",
                reason=_("the right choices' weights must add up to 100%."),
            )
    elif kind == "truefalse":
        if not isinstance(key.get("answer"), bool):
            raise BadKey("answer not bool", reason=_("say whether the statement is true."))
    elif kind == "numeric":
        answers = key.get("answers")
        if not isinstance(answers, list) or not answers:
            raise BadKey("no numeric answers", reason=_("give at least one number or range."))
        for answer in answers:
            ok = isinstance(answer, dict) and weight_of(answer) is not None
            if ok and "min" in answer:
                low, high = _decimal(answer.get("min")), _decimal(answer.get("max"))
                ok = low is not None and high is not None and low <= high
            elif ok:
                value = _decimal(answer.get("value"))
                tolerance = _decimal(answer.get("tolerance", "0"))
                ok = value is not None and tolerance is not None and tolerance >= 0
            if not ok:
                raise BadKey("bad numeric answer", reason=_("a number or range is not valid."))
    elif kind == "short":
        answers = key.get("answers")
        if (
            not isinstance(answers, list)
            or not answers
            or not all(
                isinstance(a, dict) and isinstance(a.get("text"), str) and a["text"].strip()
                for a in answers
            )
        ):
            raise BadKey("no accepted answers", reason=_("give at least one accepted answer."))
    else:
        pairs = key.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            raise BadKey("fewer than two pairs", reason=_("give at least two pairs to match."))
        ids = set()
        if sum(1 for p in pairs if isinstance(p, dict) and _texts(p.get("left"))) < 2:
            raise BadKey("fewer than two prompts", reason=_("give at least two pairs to match."))
        for pair in pairs:
            if (
                not isinstance(pair, dict)
                or not (pair.get("left") in (None, {}) or _texts(pair.get("left")))
                or not _texts(pair.get("right"))
                or not isinstance(pair.get("id"), str)
                or pair["id"] in ids
            ):
                raise BadKey("bad pair", reason=_("every pair needs both sides."))
            ids.add(pair["id"])
    return key


def paper_entry(
    question_id: int, kind: str, key: Mapping[str, Any], *, shuffle: bool, rng: random.Random
) -> dict[str, Any]:
    """What one learner's paper holds of a question: the order its choices (or matching
    columns) are shown in."""
    entry: dict[str, Any] = {"q": question_id, "k": kind}
    if kind in ("single", "multiple"):
        ids = [str(c["id"]) for c in key.get("choices", [])]
        if shuffle:
            rng.shuffle(ids)
        entry["c"] = ids
    elif kind == "matching":
        ids = [str(p["id"]) for p in key.get("pairs", []) if p.get("left")]
        right = [str(p["id"]) for p in key.get("pairs", [])]  # distractors too
        rng.shuffle(right)  # the right column is always shuffled, or its order gives it away
        if shuffle:
            rng.shuffle(ids)
        entry["l"] = ids
        entry["r"] = right
    return entry


def response_check(entry: Mapping[str, Any], response: Any) -> dict[str, Any]:
    """``response`` if it fits the paper entry's question; else :class:`BadResponse`."""
    kind = entry["k"]
    if not isinstance(response, dict):
        raise BadResponse("response not an object", reason=_("the answer is missing."))
    if kind == "single":
        index = response.get("choice")
        if isinstance(index, bool) or not isinstance(index, int):
            raise BadResponse("choice", reason=_("choose one of the options."))
        if not 0 <= index < len(entry["c"]):
            raise BadResponse("choice out of range", reason=_("choose one of the options."))
        return {"choice": index}
    if kind == "multiple":
        indexes = response.get("choices")
        if not isinstance(indexes, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(entry["c"])
            for i in indexes
        ):
            raise BadResponse("choices", reason=_("choose among the options."))
        return {"choices": sorted(set(indexes))}
    if kind == "truefalse":
        if not isinstance(response.get("value"), bool):
            raise BadResponse("value", reason=_("answer true or false."))
        return {"value": response["value"]}
    if kind == "numeric":
        raw = response.get("value")
        if _decimal(raw) is None:
            raise BadResponse("number", reason=_("write a number, such as 3.5."))
        return {"value": str(raw).strip().replace(",", ".")}
    if kind == "short":
        text = response.get("text")
        if not isinstance(text, str) or len(text) > SHORT_TEXT_MAX:
            raise BadResponse("text", reason=_("write a short answer (at most 500 characters)."))
        return {"text": text.replace("\x00", "")}
    matches = response.get("matches")
    size, options = len(entry["l"]), len(entry["r"])
    if (
        not isinstance(matches, list)
        or len(matches) != size
        or not all(
            m is None or (isinstance(m, int) and not isinstance(m, bool) and 0 <= m < options)
            for m in matches
        )
    ):
        raise BadResponse("matches", reason=_("match each item with one of the options."))
    return {"matches": matches}


def credit_permille(entry: Mapping[str, Any], key: Mapping[str, Any], response: Any) -> int:
    """The share of the question's points the response earns, 0-1000 (never below 0). An
    unreadable or missing response earns 0."""
    kind = entry["k"]
    try:
        response = response_check(entry, response)
    except BadResponse:
        return 0
    if kind in ("single", "multiple"):
        weights = {str(c["id"]): weight_of(c, 0) or Decimal(0) for c in key.get("choices", [])}
        shown = entry["c"]
        if kind == "single":
            chosen = [shown[response["choice"]]]
        else:
            chosen = [shown[i] for i in response["choices"]]
        return _permille(sum((weights.get(c, Decimal(0)) for c in chosen), Decimal(0)))
    if kind == "truefalse":
        return 1000 if response["value"] is key.get("answer") else 0
    if kind == "numeric":
        value = _decimal(response["value"])
        best = Decimal(0)
        for answer in key.get("answers", []):
            if "min" in answer:
                low, high = _decimal(answer["min"]), _decimal(answer["max"])
                hit = low is not None and high is not None and value is not None
                hit = hit and low <= value <= high  # type: ignore[operator]
            else:
                target = _decimal(answer.get("value"))
                tolerance = _decimal(answer.get("tolerance", "0")) or Decimal(0)
                hit = target is not None and value is not None
                hit = hit and abs(value - target) <= tolerance  # type: ignore[operator]
            if hit:
                best = max(best, weight_of(answer) or Decimal(0))
        return _permille(best)
    if kind == "short":
        given = normalise_text(response["text"])
        best = Decimal(0)
        for answer in key.get("answers", []):
            accepted = normalise_text(str(answer.get("text", "")))
            if given and (accepted in (given, "*")):
                best = max(best, weight_of(answer) or Decimal(0))
        return _permille(best)
    lefts, rights = entry["l"], entry["r"]
    if not lefts:
        return 0
    right_count = sum(
        1
        for position, chosen in enumerate(response["matches"])
        if chosen is not None and rights[chosen] == lefts[position]
    )
    return right_count * 1000 // len(lefts)


def score_permille(marks: Sequence[tuple[int, int]]) -> int:
    """The attempt's score from ``(points, credit_permille)`` per question on the paper,
    rounded down (a pass is never given by rounding)."""
    total = sum(points for points, _credit in marks)
    if total == 0:
        return 0
    return sum(points * credit for points, credit in marks) // total


def public_question(
    entry: Mapping[str, Any],
    *,
    text: Mapping[str, str],
    key: Mapping[str, Any],
    points: int,
    language: str,
) -> dict[str, Any]:
    """The question as the learner sees it: its text and, in paper order, the texts of its
    options; nothing of the key (no weights, no answers, no ids)."""
    out: dict[str, Any] = {
        "question_id": entry["q"],
        "kind": entry["k"],
        "text": pick(text, language),
        "points": points,
        "choices": [],
        "left": [],
        "right": [],
    }
    if entry["k"] in ("single", "multiple"):
        by_id = {str(c["id"]): c for c in key.get("choices", [])}
        out["choices"] = [pick(by_id[c]["text"], language) for c in entry["c"] if c in by_id]
    elif entry["k"] == "matching":
        by_id = {str(p["id"]): p for p in key.get("pairs", [])}
        out["left"] = [pick(by_id[p]["left"], language) for p in entry["l"] if p in by_id]
        out["right"] = [pick(by_id[p]["right"], language) for p in entry["r"] if p in by_id]
    return out
