"""Questions in and out of a bank: Moodle GIFT and Aiken files (``questionformats`` reads
and writes them; this maps them onto the bank's questions and keys).

All or nothing: a file with any error adds no question, and :class:`ImportInvalid` lists
every error with its line number, translated by its code. Questions of kinds the academy
cannot ask (GIFT essays and descriptions) are errors too, with their lines.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fiera.academy import exams
from fiera.academy.models import Assessment, Question
from fiera.academy.questionformats import (
    Choice,
    FormatError,
    FormatErrors,
    MatchPair,
    NumericAnswer,
    QuestionKind,
    export_gift,
    parse_aiken,
    parse_gift,
    true_false_choices,
)
from fiera.academy.questionformats import Question as FileQuestion
from fiera.academy.text import pick
from fiera.common.errors import InvalidInput

MAX_BYTES = 2 * 1024 * 1024

# The teacher's message for each error code of questionformats (its English templates use
# {name}; these use %(name)s with the same names).
MESSAGES: dict[str, Promise] = {
    "gift_unclosed_brace": _(
        "The answer block opened with { is not closed. Add the closing }, or write \\{ for a "
        "literal brace."
    ),
    "gift_unopened_brace": _(
        "There is a } without an opening {. Add the { where the answers start, or write \\} "
        "for a literal brace."
    ),
    "gift_multiple_answer_blocks": _(
        "A question can have only one answer block {…} and this one has a second. Separate "
        "the questions with a blank line."
    ),
    "gift_unclosed_title": _(
        "The title that starts with :: is not closed. End it with ::, or write \\: for a "
        "literal colon."
    ),
    "gift_empty_text": _("The question has no text. Write the question before its answers."),
    "gift_no_answer": _(
        "The numeric answer block has no number. Write it like {#42}, {#3.14:0.01} or {#1..5}."
    ),
    "gift_empty_answer": _(
        "An answer after = or ~ is empty. Write the answer's text, or remove the = or ~."
    ),
    "gift_answer_without_marker": _(
        "The answer “%(text)s” has no = or ~ in front. Put = before a right answer and ~ "
        "before a wrong one."
    ),
    "gift_too_few_choices": _(
        "A choice question needs at least two answers and this one has %(count)s. Add answers "
        "marked = (right) or ~ (wrong)."
    ),
    "gift_no_full_credit": _(
        "None of the answers is worth 100%%. Mark the right answer with = (or give it the "
        "weight %%100%%)."
    ),
    "gift_weights_not_100": _(
        "The weights of the right answers add up to %(total)s%%, but they must add up to "
        "100%%. Fix the weights after the ~ signs."
    ),
    "gift_bad_weight": _(
        "The weight %%%(weight)s%% is not a number from -100 to 100. Write it like %%50%% or "
        "%%-25%%."
    ),
    "gift_bad_number": _(
        "“%(value)s” is not a number. Write numbers with a point as the decimal separator, "
        "e.g. 3.14."
    ),
    "gift_bad_tolerance": _(
        "The tolerance “%(value)s” must be a number of zero or more, as in {#3.14:0.01}."
    ),
    "gift_bad_range": _(
        "The range %(low)s..%(high)s is empty: the first number must not be larger than the second."
    ),
    "gift_numeric_other_answer": _(
        "In a numeric question ~ can only give feedback for any other answer; write it as "
        "~#your feedback."
    ),
    "gift_matching_no_arrow": _(
        "The pair “%(text)s” has no ->. Write each pair as =left side -> right side."
    ),
    "gift_matching_feedback": _(
        "Matching pairs cannot have their own feedback (#). Remove it, or write general "
        "feedback after #### at the end of the answers."
    ),
    "gift_matching_needs_three": _(
        "A matching question needs at least three pairs (=left -> right) and this one has "
        "%(count)s. Add pairs."
    ),
    "gift_matching_needs_two_prompts": _(
        "A matching question needs at least two pairs with a left side; pairs written "
        "“= -> answer” only add extra answers."
    ),
    "gift_unsupported_essay": _(
        "Essay questions ({} with no answers) are not supported. Remove the question or give "
        "it answers."
    ),
    "gift_unsupported_description": _(
        "This text has no answer block {…}, so it is not a question. Add the answers in "
        "braces, turn the lines into comments starting with //, or check for a missing blank "
        "line."
    ),
    "aiken_option_without_question": _(
        "The option “%(letter)s” comes before any question text. Write the question on the "
        "line before its options."
    ),
    "aiken_unexpected_line": _(
        "This line is neither an option (like “A. text”) nor the ANSWER: line. Every question "
        "must end with a line like “ANSWER: B”."
    ),
    "aiken_duplicate_option": _(
        "The option letter %(letter)s is used twice in this question. Give each option its "
        "own letter."
    ),
    "aiken_too_few_options": _(
        "The question needs at least two options and has %(count)s. Add options like "
        "“A. text” before the ANSWER: line."
    ),
    "aiken_missing_answer": _(
        "The question has no ANSWER: line. End it with a line like “ANSWER: B” after its options."
    ),
    "aiken_bad_answer": _(
        "“%(answer)s” is not one of this question's option letters (%(letters)s). Write the "
        "letter of the right option, e.g. “ANSWER: B”."
    ),
}
FILE_NOT_TEXT = _("The file is not UTF-8 text; save it as UTF-8 and upload it again.")
FILE_TOO_BIG = _("The file is larger than 2 MB; split it into smaller files.")
FILE_EMPTY = _("The file holds no questions.")


class ImportInvalid(InvalidInput):
    """A file that cannot be imported; ``errors`` lists each problem (line, code, message)."""

    code = "import_invalid"
    message_template = _(
        "Nothing was imported: the file has %(count)s problem(s). Line %(line)s: %(first)s"
    )


def error_message(error: FormatError) -> str:
    """The error in the active language (the English of questionformats when unknown)."""
    template = MESSAGES.get(error.code)
    if template is None:
        return error.message
    try:
        return str(template) % {k: str(v) for k, v in error.params.items()}
    except (KeyError, TypeError, ValueError):
        return str(template)


def _invalid(errors: list[dict[str, Any]]) -> ImportInvalid:
    return ImportInvalid(
        f"{len(errors)} errors",
        count=len(errors),
        line=errors[0]["line"],
        first=errors[0]["message"],
        errors=errors,
    )


def _weight(value: Decimal) -> int | str:
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def _texts(text: str, language: str) -> dict[str, str]:
    return {language: text}


def to_bank(question: FileQuestion, language: str) -> dict[str, Any]:
    """A file's question as the bank's fields (``kind``, ``text``, ``key`` ...)."""
    kind = question.kind
    key: dict[str, Any]
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        key = {
            "choices": [
                {
                    "id": f"c{n}",
                    "text": _texts(c.text, language),
                    "weight": _weight(c.weight_percent),
                }
                for n, c in enumerate(question.choices, start=1)
            ]
        }
        bank_kind = "single" if kind == QuestionKind.SINGLE_CHOICE else "multiple"
    elif kind == QuestionKind.TRUE_FALSE:
        truth = next((c for c in question.choices if c.text == "True"), None)
        key = {"answer": bool(truth and truth.weight_percent > 0)}
        bank_kind = "truefalse"
    elif kind == QuestionKind.NUMERIC:
        key = {
            "answers": [
                {
                    "value": format(a.value, "f"),
                    "tolerance": format(a.tolerance, "f"),
                    "weight": _weight(a.weight_percent),
                }
                for a in question.numeric_answers
            ]
        }
        bank_kind = "numeric"
    elif kind == QuestionKind.SHORT_TEXT:
        key = {
            "answers": [
                {"text": c.text, "weight": _weight(c.weight_percent)}
                for c in question.choices
                if c.weight_percent > 0
            ]
        }
        bank_kind = "short"
    else:
        key = {
            "pairs": [
                {
                    "id": f"p{n}",
                    "left": _texts(p.prompt, language) if p.prompt else {},
                    "right": _texts(p.answer, language),
                }
                for n, p in enumerate(question.pairs, start=1)
            ]
        }
        bank_kind = "matching"
    return {
        "kind": bank_kind,
        "text": _texts(question.text, language),
        "key": key,
        "points": 1,
        "category": question.category,
        "name": question.title,
        "feedback": _texts(question.general_feedback, language)
        if question.general_feedback
        else {},
    }


def bank_import(
    *,
    assessment_id: int,
    data: bytes,
    file_format: str,
    language: str,
    actor_id: int,
    actor_role: str,
    now: datetime,
) -> int:
    """Add every question of a GIFT or Aiken file to the bank, or none: :class:`ImportInvalid`
    (422) with each error's line, code and message. ``language``: the language the file is
    written in ("" for the course's first). How many questions were added."""
    a = Assessment.objects.select_related("course").filter(pk=assessment_id).first()
    if a is None:
        raise exams.AssessmentNotFound(f"no assessment {assessment_id}")
    exams._require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    languages = a.course.languages.split(",")
    language = language if language in languages else languages[0]
    if len(data) > MAX_BYTES:
        raise _invalid([{"line": 0, "code": "file_too_big", "message": str(FILE_TOO_BIG)}])
    try:
        text = data.decode("utf-8-sig")
        if "\x00" in text:  # not text (and PostgreSQL cannot store it)
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL character")
    except UnicodeDecodeError:
        raise _invalid(
            [{"line": 0, "code": "file_not_text", "message": str(FILE_NOT_TEXT)}]
        ) from None
    try:
        parsed = parse_aiken(text) if file_format == "aiken" else parse_gift(text)
    except FormatErrors as exc:
        raise _invalid(
            [{"line": e.line, "code": e.code, "message": error_message(e)} for e in exc.errors]
        ) from None
    if not parsed:
        raise _invalid([{"line": 0, "code": "file_empty", "message": str(FILE_EMPTY)}])
    return exams.questions_add_many(
        assessment_id=assessment_id,
        questions=[to_bank(q, language) for q in parsed],
        actor_id=actor_id,
        actor_role=actor_role,
        now=now,
    )


def _decimal(raw: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(raw if raw is not None else default))
    except ArithmeticError:
        return Decimal(default)


def to_file(q: Question, language: str) -> FileQuestion:
    """A bank question as questionformats' question, its texts in ``language``."""
    key = q.key

    def t(texts: Any) -> str:
        return pick(texts if isinstance(texts, dict) else {}, language)

    common: dict[str, Any] = {
        "text": t(q.text),
        "title": q.name,
        "category": q.category,
        "general_feedback": t(q.feedback),
    }
    if q.kind in ("single", "multiple"):
        return FileQuestion(
            kind=QuestionKind.SINGLE_CHOICE if q.kind == "single" else QuestionKind.MULTIPLE_CHOICE,
            choices=tuple(
                Choice(t(c["text"]), _decimal(c.get("weight", 0))) for c in key["choices"]
            ),
            **common,
        )
    if q.kind == "truefalse":
        return FileQuestion(
            kind=QuestionKind.TRUE_FALSE,
            choices=true_false_choices(correct=bool(key["answer"])),
            **common,
        )
    if q.kind == "numeric":
        answers = []
        for a in key["answers"]:
            if "min" in a:
                low, high = _decimal(a["min"]), _decimal(a["max"])
                value, tolerance = (low + high) / 2, (high - low) / 2
            else:
                value, tolerance = _decimal(a["value"]), _decimal(a.get("tolerance", "0"))
            answers.append(NumericAnswer(value, tolerance, _decimal(a.get("weight", 100))))
        return FileQuestion(kind=QuestionKind.NUMERIC, numeric_answers=tuple(answers), **common)
    if q.kind == "short":
        return FileQuestion(
            kind=QuestionKind.SHORT_TEXT,
            choices=tuple(
                Choice(str(a["text"]), _decimal(a.get("weight", 100))) for a in key["answers"]
            ),
            **common,
        )
    return FileQuestion(
        kind=QuestionKind.MATCHING,
        pairs=tuple(
            MatchPair(t(p.get("left")) if p.get("left") else "", t(p["right"]))
            for p in key["pairs"]
        ),
        **common,
    )


def bank_export(*, assessment_id: int, actor_id: int, actor_role: str) -> tuple[str, str]:
    """The bank as a GIFT file in the course's first language (teachers); (text, file name)."""
    a = Assessment.objects.select_related("course").filter(pk=assessment_id).first()
    if a is None:
        raise exams.AssessmentNotFound(f"no assessment {assessment_id}")
    exams._require_teacher(course_id=a.course_id, actor_id=actor_id, actor_role=actor_role)
    language = a.course.languages.split(",")[0]
    questions = [to_file(q, language) for q in Question.objects.filter(assessment=a)]
    return export_gift(questions), f"{a.course.slug}-{a.kind}-{a.pk}.gift.txt"
