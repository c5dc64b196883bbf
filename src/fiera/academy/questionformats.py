"""Quiz questions in Moodle's GIFT format (import and export) and in Aiken format (import).

Pure Python, no Django: the academy's assessment service calls `parse_gift`,
`export_gift` and `parse_aiken` and maps the neutral `Question` objects onto its models.

Errors. Parsing reads the whole file first and raises one `FormatErrors` holding every
problem found (a `FormatError` each, with the 1-based `line`, a stable `code`, `params` and
an English `message`), so a file with errors imports nothing and the teacher sees all its
problems at once. Callers translate by `code`: the English templates are in `MESSAGES`,
with %-style parameters (`%(count)s`) like `fiera.common.errors.DomainError`'s templates.

Decisions (where GIFT or Moodle leave room):
- Essay (`{}`) and description (text without an answer block) questions are not academy
  question types. By default they are errors (`gift_unsupported_essay`,
  `gift_unsupported_description`) with their line number, so nothing is silently dropped;
  `parse_gift(text, allow_unsupported=True)` returns them as `QuestionKind.ESSAY` /
  `QuestionKind.DESCRIPTION` (`kind.is_supported` is False) for a caller that wants to
  skip them and list them.
- True/false is stored as two choices, "True" then "False" (`true_false_choices`); the
  feedback of each is what a learner who picks it sees (GIFT's `{T#if wrong#if right}`).
- Short text answers are compared case-insensitively (Moodle's default; GIFT cannot say
  otherwise); a `*` answer is Moodle's wildcard and is kept as the text "*".
- A missing-word question keeps `BLANK` ("_____") in its text where the answer block was.
- A format marker (`[html]`, `[markdown]`, `[plain]`, `[moodle]`) is kept for the stem
  (`Question.text_format`), choices (`Choice.text_format`) and matching prompts; a marker
  on feedback is accepted and dropped (feedback is shown in the question's format).
- Numeric ranges `{#1..5}` are stored as value 3 with tolerance 2 (as Moodle does).
- Matching needs at least three pairs, at least two of them with a left side (Moodle's
  rule for matching questions; its GIFT importer alone accepts two).
- Multiple choice (answers marked only with `~`) needs the positive weights to add up
  to 100 %; single choice (at least one `=`) needs an answer worth 100 %.
- `$CATEGORY:` with an empty path goes back to no category; a question may follow its
  `$CATEGORY:` line directly (Moodle would swallow it into the category). The path is kept
  verbatim (`$course$/Default` included): mapping it onto question banks is the caller's.
- A second answer block in one question is an error (Moodle would keep it as text).
- Errors of a question's rules (too few answers, weights) are reported at the line of
  its `{`; an answer's own errors at the answer's line.

Not supported (GIFT or Moodle features the academy does not keep): essay and description
questions (see above); the format of a matching answer (right side) and of feedback;
Moodle's `// [id:...]` and `// [tag:...]` comment lines (read as comments); a numeric
wildcard `=*` answer (use `~#feedback` for any other number); files and images
(`@@PLUGINFILE@@` stays in the text as written); lower-case `{true}`/`{false}` (short text,
as in Moodle). On export GIFT cannot hold "->" in a matching prompt, nor in a short text
question with several answers (ValueError); a carriage return in a text reads back as a
line break.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

__all__ = [
    "BLANK",
    "FALSE_TEXT",
    "MESSAGES",
    "TRUE_TEXT",
    "Choice",
    "FormatError",
    "FormatErrors",
    "MatchPair",
    "NumericAnswer",
    "Question",
    "QuestionKind",
    "TextFormat",
    "export_gift",
    "parse_aiken",
    "parse_gift",
    "true_false_choices",
]

BLANK = "_____"
"""Where the answer block of a missing-word question stood in its text."""

TRUE_TEXT = "True"
FALSE_TEXT = "False"

_HUNDRED = Decimal(100)
_WEIGHT_SUM_TOLERANCE = Decimal("0.01")  # Moodle's thirds (33.33333 x 3) add up to 99.99999


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"
    SHORT_TEXT = "short_text"
    MATCHING = "matching"
    ESSAY = "essay"  # read from GIFT, not an academy question type
    DESCRIPTION = "description"  # read from GIFT, not an academy question type

    @property
    def is_supported(self) -> bool:
        """Whether the academy can ask and grade this kind."""
        return self not in (QuestionKind.ESSAY, QuestionKind.DESCRIPTION)


class TextFormat(StrEnum):
    """GIFT's text format markers; MOODLE is what a text without a marker has."""

    MOODLE = "moodle"
    HTML = "html"
    PLAIN = "plain"
    MARKDOWN = "markdown"


@dataclass(frozen=True)
class Choice:
    """An answer of a choice, true/false or short text question.

    `weight_percent` is Moodle's grade for the answer: 100 fully right, 0 wrong, between
    them partial credit, negative a penalty (-100..100). For short text, `text` is one
    accepted answer. `text_format` is None unless the answer has its own marker that
    differs from the question's.
    """

    text: str
    weight_percent: Decimal = Decimal(0)
    feedback: str = ""
    text_format: TextFormat | None = None

    @property
    def is_correct(self) -> bool:
        return self.weight_percent > 0


@dataclass(frozen=True)
class NumericAnswer:
    """A right (or partly right) number: any answer within value ± tolerance matches."""

    value: Decimal
    tolerance: Decimal = Decimal(0)
    weight_percent: Decimal = _HUNDRED
    feedback: str = ""

    @property
    def low(self) -> Decimal:
        return self.value - self.tolerance

    @property
    def high(self) -> Decimal:
        return self.value + self.tolerance


@dataclass(frozen=True)
class MatchPair:
    """One line of a matching question; an empty `prompt` is an extra (distractor) answer."""

    prompt: str
    answer: str
    prompt_format: TextFormat | None = None


@dataclass(frozen=True)
class Question:
    """One question, independent of the file format it came from.

    Which answer field is used depends on `kind`: `choices` for single/multiple choice,
    true/false and short text; `numeric_answers` (and `other_answer_feedback`, shown for
    any other number) for numeric; `pairs` for matching. `line` is where the question
    starts in the file it was read from (0 when built in code); it is not compared.
    """

    kind: QuestionKind
    text: str
    title: str = ""
    text_format: TextFormat = TextFormat.MOODLE
    choices: tuple[Choice, ...] = ()
    numeric_answers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    general_feedback: str = ""
    other_answer_feedback: str = ""
    category: str = ""
    line: int = field(default=0, compare=False)


def true_false_choices(
    *, correct: bool, feedback_if_true: str = "", feedback_if_false: str = ""
) -> tuple[Choice, Choice]:
    """The two choices of a true/false question: "True" first, then "False"."""
    return (
        Choice(TRUE_TEXT, _HUNDRED if correct else Decimal(0), feedback_if_true),
        Choice(FALSE_TEXT, Decimal(0) if correct else _HUNDRED, feedback_if_false),
    )


# --- errors ---------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    "gift_unclosed_brace": (
        "The answer block opened with { is not closed. Add the closing }, "
        "or write \\{ for a literal brace."
    ),
    "gift_unopened_brace": (
        "There is a } without an opening {. Add the { where the answers start, "
        "or write \\} for a literal brace."
    ),
    "gift_multiple_answer_blocks": (
        "A question can have only one answer block {…} and this one has a second. "
        "Separate the questions with a blank line, or write \\{ and \\} for literal braces."
    ),
    "gift_unclosed_title": (
        "The title that starts with :: is not closed. End it with ::, "
        "or write \\: for a literal colon."
    ),
    "gift_empty_text": "The question has no text. Write the question before its answers.",
    "gift_no_answer": (
        "The numeric answer block has no number. Write it like {#42}, {#3.14:0.01} or {#1..5}."
    ),
    "gift_empty_answer": (
        "An answer after = or ~ is empty. Write the answer's text, or remove the = or ~."
    ),
    "gift_answer_without_marker": (
        "The answer “%(text)s” has no = or ~ in front. Put = before a right answer and "
        "~ before a wrong one."
    ),
    "gift_too_few_choices": (
        "A choice question needs at least two answers and this one has %(count)s. "
        "Add answers marked = (right) or ~ (wrong)."
    ),
    "gift_no_full_credit": (
        "None of the answers is worth 100%%. Mark the right answer with = "
        "(or give it the weight %%100%%)."
    ),
    "gift_weights_not_100": (
        "The weights of the right answers add up to %(total)s%%, but they must add up to 100%%. "
        "Fix the %%…%% weights after the ~ signs."
    ),
    "gift_bad_weight": (
        "The weight %%%(weight)s%% is not a number from -100 to 100. "
        "Write it like %%50%% or %%-25%%."
    ),
    "gift_bad_number": (
        "“%(value)s” is not a number. "
        "Write numbers with a point as the decimal separator, e.g. 3.14."
    ),
    "gift_bad_tolerance": (
        "The tolerance “%(value)s” must be a number of zero or more, as in {#3.14:0.01}."
    ),
    "gift_bad_range": (
        "The range %(low)s..%(high)s is empty: the first number must not be larger than the second."
    ),
    "gift_numeric_other_answer": (
        "In a numeric question ~ can only give feedback for any other answer; write it as "
        "~#your feedback."
    ),
    "gift_matching_no_arrow": (
        "The pair “%(text)s” has no ->. Write each pair as =left side -> right side."
    ),
    "gift_matching_feedback": (
        "Matching pairs cannot have their own feedback (#). Remove it, or write general "
        "feedback after #### at the end of the answers."
    ),
    "gift_matching_needs_three": (
        "A matching question needs at least three pairs (=left -> right) and this one has "
        "%(count)s. Add pairs."
    ),
    "gift_matching_needs_two_prompts": (
        "A matching question needs at least two pairs with a left side; pairs written "
        "“= -> answer” only add extra answers."
    ),
    "gift_unsupported_essay": (
        "Essay questions ({} with no answers) are not supported. Remove the question "
        "or give it answers."
    ),
    "gift_unsupported_description": (
        "This text has no answer block {…}, so it is not a question (Moodle calls it a "
        "description, which is not supported). Add the answers in braces, turn the lines "
        "into comments starting with //, or check for a missing blank line."
    ),
    "aiken_option_without_question": (
        "The option “%(letter)s” comes before any question text. Write the question on the "
        "line before its options."
    ),
    "aiken_unexpected_line": (
        "This line is neither an option (like “A. text” or “A) text”) nor the "
        "ANSWER: line. Every question must end with a line like “ANSWER: B”."
    ),
    "aiken_duplicate_option": (
        "The option letter %(letter)s is used twice in this question. Give each option "
        "its own letter."
    ),
    "aiken_too_few_options": (
        "The question needs at least two options and has %(count)s. Add options like "
        "“A. text” before the ANSWER: line."
    ),
    "aiken_missing_answer": (
        "The question has no ANSWER: line. End it with a line like “ANSWER: B” after its options."
    ),
    "aiken_bad_answer": (
        "“%(answer)s” is not one of this question's option letters (%(letters)s). Write the "
        "letter of the right option, e.g. “ANSWER: B”."
    ),
}


class FormatError(ValueError):
    """One problem in an imported file, at a 1-based line; translate by `code`."""

    def __init__(self, code: str, line: int, **params: str | int) -> None:
        self.code = code
        self.line = line
        self.params: dict[str, str | int] = params
        self.message = MESSAGES[code] % params
        super().__init__(f"line {line}: {self.message}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FormatError):
            return NotImplemented
        return (self.code, self.line, self.params) == (other.code, other.line, other.params)

    def __hash__(self) -> int:
        return hash((self.code, self.line))

    def __repr__(self) -> str:
        return f"FormatError({self.code!r}, line={self.line}, params={self.params!r})"


class FormatErrors(ValueError):
    """Every problem found in one file, in line order; the file imports nothing."""

    def __init__(self, errors: Iterable[FormatError]) -> None:
        self.errors: tuple[FormatError, ...] = tuple(sorted(errors, key=lambda e: e.line))
        super().__init__("\n".join(str(error) for error in self.errors))


# --- GIFT: reading --------------------------------------------------------------------

_ESCAPABLE = frozenset("\\~=#{}:")
_FORMAT_MARKER = re.compile(r"\[(moodle|html|plain|markdown)\]")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"


@dataclass(frozen=True)
class _Span:
    """Unescaped text with, for each character, whether it came from an escape (and so is
    never syntax) and the source line it came from."""

    chars: str
    literal: tuple[bool, ...]
    lines: tuple[int, ...]
    fallback_line: int

    @classmethod
    def from_lines(cls, numbered: Sequence[tuple[int, str]]) -> _Span:
        chars: list[str] = []
        literal: list[bool] = []
        lines: list[int] = []
        for position, (number, raw) in enumerate(numbered):
            if position:
                chars.append("\n")
                literal.append(False)
                lines.append(numbered[position - 1][0])
            index = 0
            while index < len(raw):
                char = raw[index]
                following = raw[index + 1] if index + 1 < len(raw) else ""
                if char == "\\" and following in _ESCAPABLE and following:
                    chars.append(following)
                    literal.append(True)
                    index += 2
                elif char == "\\" and following == "n":
                    chars.append("\n")
                    literal.append(True)
                    index += 2
                else:
                    chars.append(char)
                    literal.append(False)
                    index += 1
                lines.append(number)
        return cls("".join(chars), tuple(literal), tuple(lines), numbered[0][0])

    def __len__(self) -> int:
        return len(self.chars)

    def line_at(self, index: int) -> int:
        if not self.lines:
            return self.fallback_line
        return self.lines[max(0, min(index, len(self.lines) - 1))]

    @property
    def line(self) -> int:
        return self.line_at(0)

    def cut(self, start: int, stop: int | None = None) -> _Span:
        stop = len(self.chars) if stop is None else stop
        return _Span(
            self.chars[start:stop],
            self.literal[start:stop],
            self.lines[start:stop],
            self.line_at(start),
        )

    def strip(self) -> _Span:
        start = len(self.chars) - len(self.chars.lstrip())
        stop = len(self.chars.rstrip())
        return self.cut(start, max(start, stop))

    def find(self, sub: str, start: int = 0) -> int:
        index = self.chars.find(sub, start)
        while index != -1 and any(self.literal[index : index + len(sub)]):
            index = self.chars.find(sub, index + 1)
        return index

    def rfind(self, sub: str) -> int:
        index = self.chars.rfind(sub)
        while index != -1 and any(self.literal[index : index + len(sub)]):
            index = self.chars.rfind(sub, 0, index + len(sub) - 1)
        return index

    def startswith(self, prefix: str) -> bool:
        return self.chars.startswith(prefix) and not any(self.literal[: len(prefix)])

    def split_markers(self, markers: str) -> tuple[_Span, list[tuple[str, _Span]]]:
        """Split before each unescaped marker character: (text before the first marker,
        [(marker, text after it up to the next marker), ...])."""
        cuts = [
            index
            for index, char in enumerate(self.chars)
            if char in markers and not self.literal[index]
        ]
        head = self.cut(0, cuts[0] if cuts else None)
        pieces = [
            (
                self.chars[cut],
                self.cut(cut + 1, cuts[number + 1] if number + 1 < len(cuts) else None),
            )
            for number, cut in enumerate(cuts)
        ]
        return head, pieces


def _split_format(text: str) -> tuple[TextFormat | None, str]:
    match = _FORMAT_MARKER.match(text)
    if match is None:
        return None, text
    return TextFormat(match.group(1)), text[match.end() :].strip()


def _feedback(span: _Span) -> str:
    return _split_format(span.strip().chars)[1]


def _own_format(marker: TextFormat | None, question_format: TextFormat) -> TextFormat | None:
    return None if marker == question_format else marker


@dataclass(frozen=True)
class _Answer:
    weight: Decimal | None
    text: _Span
    feedback: str


def _parse_answer(span: _Span, errors: list[FormatError]) -> _Answer:
    """`%weight%text#feedback` (weight and feedback optional)."""
    span = span.strip()
    weight: Decimal | None = None
    if span.startswith("%"):
        close = span.find("%", 1)
        if close != -1:
            raw_weight = span.chars[1:close].strip()
            try:
                weight = Decimal(raw_weight)
            except InvalidOperation:
                weight = None
            if weight is None or not weight.is_finite() or abs(weight) > _HUNDRED:
                errors.append(FormatError("gift_bad_weight", span.line, weight=raw_weight))
                weight = Decimal(0)
            span = span.cut(close + 1).strip()
    hash_at = span.find("#")
    if hash_at == -1:
        return _Answer(weight, span, "")
    return _Answer(weight, span.cut(0, hash_at).strip(), _feedback(span.cut(hash_at + 1)))


def _parse_number(raw: str, line: int, errors: list[FormatError]) -> Decimal | None:
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not raw.strip():
        errors.append(FormatError("gift_bad_number", line, value=raw.strip()))
        return None
    return number


def _numeric_answer(answer: _Answer, errors: list[FormatError]) -> NumericAnswer | None:
    raw, line = answer.text.chars, answer.text.line
    weight = _HUNDRED if answer.weight is None else answer.weight
    if raw.find("..") > 0:
        low_raw, high_raw = raw.split("..", 1)
        low = _parse_number(low_raw, line, errors)
        high = _parse_number(high_raw, line, errors)
        if low is None or high is None:
            return None
        if low > high:
            errors.append(FormatError("gift_bad_range", line, low=str(low), high=str(high)))
            return None
        middle = (low + high) / 2
        return NumericAnswer(middle, high - middle, weight, answer.feedback)
    if raw.find(":") > 0:
        value_raw, tolerance_raw = raw.split(":", 1)
        value = _parse_number(value_raw, line, errors)
        try:
            tolerance: Decimal | None = Decimal(tolerance_raw.strip())
        except InvalidOperation:
            tolerance = None
        if tolerance is None or not tolerance.is_finite() or tolerance < 0:
            errors.append(FormatError("gift_bad_tolerance", line, value=tolerance_raw.strip()))
            return None
        if value is None:
            return None
        return NumericAnswer(value, tolerance, weight, answer.feedback)
    value = _parse_number(raw, line, errors)
    return None if value is None else NumericAnswer(value, Decimal(0), weight, answer.feedback)


def _choice(answer: _Answer, default_weight: Decimal, question_format: TextFormat) -> Choice:
    marker, text = _split_format(answer.text.chars)
    weight = default_weight if answer.weight is None else answer.weight
    return Choice(text, weight, answer.feedback, _own_format(marker, question_format))


@dataclass(frozen=True)
class _Answers:
    kind: QuestionKind
    choices: tuple[Choice, ...] = ()
    numeric_answers: tuple[NumericAnswer, ...] = ()
    pairs: tuple[MatchPair, ...] = ()
    other_answer_feedback: str = ""


def _parse_answers(
    block: _Span, question_format: TextFormat, errors: list[FormatError]
) -> _Answers:
    """Classify the answer block (Moodle's order of checks) and read its answers."""
    if not block.chars:
        return _Answers(QuestionKind.ESSAY)
    if block.startswith("#"):
        return _parse_numeric(block.cut(1), errors)
    if block.find("~") != -1:
        head, pieces = block.split_markers("~=")
        if head.strip().chars:
            errors.append(
                FormatError(
                    "gift_answer_without_marker", head.strip().line, text=head.strip().chars
                )
            )
        choices = []
        for marker, piece in pieces:
            default = _HUNDRED if marker == "=" else Decimal(0)
            choices.append(_choice(_parse_answer(piece, errors), default, question_format))
            if not choices[-1].text:
                errors.append(FormatError("gift_empty_answer", piece.line))
        single = any(marker == "=" for marker, _ in pieces)
        kind = QuestionKind.SINGLE_CHOICE if single else QuestionKind.MULTIPLE_CHOICE
        return _Answers(kind, choices=tuple(choices))
    if block.find("=") != -1 and block.find("->") != -1:
        return _parse_matching(block, question_format, errors)
    hash_at = block.find("#")
    head = block.cut(0, hash_at if hash_at != -1 else None).strip()
    if head.chars in _TRUE_FALSE and not any(head.literal):
        # {T#feedback if the learner is wrong#feedback if right}
        if_wrong = if_right = ""
        if hash_at != -1:
            feedback = block.cut(hash_at + 1)
            second = feedback.find("#")
            if_wrong = _feedback(feedback.cut(0, second) if second != -1 else feedback)
            if_right = _feedback(feedback.cut(second + 1)) if second != -1 else ""
        correct = _TRUE_FALSE[head.chars]
        return _Answers(
            QuestionKind.TRUE_FALSE,
            choices=true_false_choices(
                correct=correct,
                feedback_if_true=if_right if correct else if_wrong,
                feedback_if_false=if_wrong if correct else if_right,
            ),
        )
    head, pieces = block.split_markers("=")
    choices = []
    if head.strip().chars:  # a single answer may be written without its =
        pieces = [("=", head), *pieces]
    for _marker, piece in pieces:
        choices.append(_choice(_parse_answer(piece, errors), _HUNDRED, question_format))
        if not choices[-1].text:
            errors.append(FormatError("gift_empty_answer", piece.line))
    return _Answers(QuestionKind.SHORT_TEXT, choices=tuple(choices))


def _parse_numeric(body: _Span, errors: list[FormatError]) -> _Answers:
    other_feedback = ""
    tilde = body.find("~")
    if tilde != -1:
        other = body.cut(tilde + 1).strip()
        body = body.cut(0, tilde)
        if other.startswith("#"):
            other_feedback = _feedback(other.cut(1))
        else:
            errors.append(FormatError("gift_numeric_other_answer", other.line))
    head, pieces = body.split_markers("=")
    parts = (
        [head, *(piece for _, piece in pieces)] if head.strip().chars else [p for _, p in pieces]
    )
    answers = []
    for part in parts:
        answer = _parse_answer(part, errors)
        if not answer.text.chars:
            errors.append(FormatError("gift_empty_answer", part.line))
            continue
        numeric = _numeric_answer(answer, errors)
        if numeric is not None:
            answers.append(numeric)
    if not parts:
        errors.append(FormatError("gift_no_answer", body.line))
    return _Answers(
        QuestionKind.NUMERIC, numeric_answers=tuple(answers), other_answer_feedback=other_feedback
    )


def _parse_matching(
    block: _Span, question_format: TextFormat, errors: list[FormatError]
) -> _Answers:
    head, pieces = block.split_markers("=")
    if head.strip().chars:
        errors.append(
            FormatError("gift_answer_without_marker", head.strip().line, text=head.strip().chars)
        )
    pairs = []
    for _marker, piece in pieces:
        pair = piece.strip()
        if pair.find("#") != -1:
            errors.append(FormatError("gift_matching_feedback", pair.line_at(pair.find("#"))))
            continue
        arrow = pair.find("->")
        if arrow == -1:
            errors.append(FormatError("gift_matching_no_arrow", pair.line, text=pair.chars))
            continue
        marker, prompt = _split_format(pair.chars[:arrow].strip())
        answer = pair.chars[arrow + 2 :].strip()
        if not answer:
            errors.append(FormatError("gift_empty_answer", pair.line))
        pairs.append(MatchPair(prompt, answer, _own_format(marker, question_format)))
    return _Answers(QuestionKind.MATCHING, pairs=tuple(pairs))


def _check(question: Question, line: int) -> list[FormatError]:
    """The rules a question of each kind must follow, in the file or built in code."""
    errors: list[FormatError] = []
    kind = question.kind
    choices = question.choices
    if not question.text.strip():
        errors.append(FormatError("gift_empty_text", line))
    is_choice = kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    if is_choice and len(choices) < 2:
        errors.append(FormatError("gift_too_few_choices", line, count=len(choices)))
    needs_full_credit = (
        kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.SHORT_TEXT) and choices
    ) or (kind is QuestionKind.NUMERIC and question.numeric_answers)
    weights = [c.weight_percent for c in choices] + [
        a.weight_percent for a in question.numeric_answers
    ]
    if needs_full_credit and _HUNDRED not in weights:
        errors.append(FormatError("gift_no_full_credit", line))
    if kind is QuestionKind.MULTIPLE_CHOICE and len(choices) >= 2:
        total = sum((weight for weight in weights if weight > 0), Decimal(0))
        if abs(total - _HUNDRED) > _WEIGHT_SUM_TOLERANCE:
            errors.append(FormatError("gift_weights_not_100", line, total=_plain(total)))
    if kind is QuestionKind.MATCHING:
        if len(question.pairs) < 3:
            errors.append(FormatError("gift_matching_needs_three", line, count=len(question.pairs)))
        elif sum(1 for pair in question.pairs if pair.prompt) < 2:
            errors.append(FormatError("gift_matching_needs_two_prompts", line))
    return errors


def _parse_question(
    numbered: Sequence[tuple[int, str]], category: str, allow_unsupported: bool
) -> tuple[Question | None, list[FormatError]]:
    errors: list[FormatError] = []
    text = _Span.from_lines(numbered).strip()
    first_line = text.line
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            return None, [FormatError("gift_unclosed_title", first_line)]
        title = text.chars[2:end].strip()
        text = text.cut(end + 2).strip()
    opening, closing = text.find("{"), text.find("}")
    if opening == -1 and closing == -1:
        marker, stem_text = _split_format(text.chars)
        question = Question(
            QuestionKind.DESCRIPTION,
            stem_text,
            title,
            marker or TextFormat.MOODLE,
            category=category,
            line=first_line,
        )
        if not stem_text:
            return None, [FormatError("gift_empty_text", first_line)]
        if not allow_unsupported:
            return None, [FormatError("gift_unsupported_description", first_line)]
        return question, []
    if opening != -1 and (closing == -1 or -1 < text.find("{", opening + 1) < closing):
        return None, [FormatError("gift_unclosed_brace", text.line_at(opening))]
    if opening == -1 or closing < opening:
        return None, [FormatError("gift_unopened_brace", text.line_at(closing))]
    second_opening = text.find("{", closing + 1)
    if second_opening != -1:
        return None, [FormatError("gift_multiple_answer_blocks", text.line_at(second_opening))]
    stray_closing = text.find("}", closing + 1)
    if stray_closing != -1:
        return None, [FormatError("gift_unopened_brace", text.line_at(stray_closing))]

    before, after = text.chars[:opening], text.chars[closing + 1 :]
    marker, stem_text = _split_format((before + BLANK + after if after else before).strip())
    question_format = marker or TextFormat.MOODLE

    block = text.cut(opening + 1, closing).strip()
    general_feedback = ""
    separator = block.rfind("####")
    if separator != -1:
        general_feedback = _feedback(block.cut(separator + 4))
        block = block.cut(0, separator).strip()

    answers = _parse_answers(block, question_format, errors)
    question = Question(
        answers.kind,
        stem_text,
        title,
        question_format,
        answers.choices,
        answers.numeric_answers,
        answers.pairs,
        general_feedback,
        answers.other_answer_feedback,
        category,
        line=first_line,
    )
    block_line = text.line_at(opening)
    if question.kind is QuestionKind.ESSAY and not allow_unsupported:
        errors.append(FormatError("gift_unsupported_essay", block_line))
    if not errors:  # a broken answer would also break the question's rules: say it once
        errors.extend(_check(question, block_line))
    return (None if errors else question), errors


def _normalise_newlines(text: str) -> list[str]:
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_gift(text: str, *, allow_unsupported: bool = False) -> list[Question]:
    """Read a GIFT file (Moodle's "GIFT format"); raises `FormatErrors` with every problem.

    Accepts a leading BOM and Windows or old Mac line endings. `allow_unsupported`
    returns essay and description questions instead of reporting them as errors.
    """
    questions: list[Question] = []
    errors: list[FormatError] = []
    category = ""
    block: list[tuple[int, str]] = []

    def finish() -> None:
        nonlocal category
        lines = block.copy()
        block.clear()
        if lines and lines[0][1].strip().startswith(_CATEGORY):
            category = lines[0][1].strip()[len(_CATEGORY) :].strip()
            lines = lines[1:]
        if not lines:
            return
        question, found = _parse_question(lines, category, allow_unsupported)
        errors.extend(found)
        if question is not None:
            questions.append(question)

    for number, line in enumerate(_normalise_newlines(text), start=1):
        if not line.strip():
            finish()
        elif not line.lstrip().startswith("//"):
            block.append((number, line))
    finish()
    if errors:
        raise FormatErrors(errors)
    return questions


# --- GIFT: writing --------------------------------------------------------------------

_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "~": "\\~",
        "=": "\\=",
        "#": "\\#",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
    }
)


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _with_format(text: str, marker: TextFormat | None, inherited: TextFormat) -> str:
    """Escaped text with its marker when it differs from the inherited format, or when the
    text itself starts like a marker (so that reading it back does not take it for one)."""
    if marker is None or marker == inherited:
        marker = inherited if _FORMAT_MARKER.match(text) else None
    return ("" if marker is None else f"[{marker}]") + _escape(text)


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _weight(choice_weight: Decimal) -> str:
    return f"%{_plain(choice_weight)}%"


def _answer_tail(feedback: str, question_format: TextFormat) -> str:
    return f"#{_with_format(feedback, None, question_format)}" if feedback else ""


def _export_block(question: Question) -> list[str]:
    fmt = question.text_format
    lines: list[str] = []
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        full_mark_written = False
        for choice in question.choices:
            text = _with_format(choice.text, choice.text_format, fmt)
            if (
                kind is QuestionKind.SINGLE_CHOICE
                and choice.weight_percent == _HUNDRED
                and not full_mark_written
            ):
                full_mark_written = True
                prefix = "=%100%" if text.startswith("%") else "="
            elif choice.weight_percent == 0 and not text.startswith("%"):
                prefix = "~"
            else:
                prefix = "~" + _weight(choice.weight_percent)
            lines.append(f"\t{prefix}{text}{_answer_tail(choice.feedback, fmt)}")
    elif kind is QuestionKind.SHORT_TEXT:
        if any("->" in c.text or "->" in c.feedback for c in question.choices):
            # With = and -> the answers would read as matching pairs; only Moodle's form
            # of a single full-credit answer written without its = keeps them apart.
            only = question.choices[0]
            text = _with_format(only.text, only.text_format, fmt)
            if (
                len(question.choices) != 1
                or only.weight_percent != _HUNDRED
                or text.startswith("%")
                or text in _TRUE_FALSE
            ):
                raise ValueError(f"GIFT cannot hold these short answers with '->': {question!r}")
            lines.append(f"\t{text}{_answer_tail(only.feedback, fmt)}")
        for choice in question.choices if not lines else ():
            text = _with_format(choice.text, choice.text_format, fmt)
            prefix = (
                "="
                if choice.weight_percent == _HUNDRED and not text.startswith("%")
                else ("=" + _weight(choice.weight_percent))
            )
            lines.append(f"\t{prefix}{text}{_answer_tail(choice.feedback, fmt)}")
    elif kind is QuestionKind.TRUE_FALSE:
        by_text = {choice.text: choice for choice in question.choices}
        if set(by_text) != {TRUE_TEXT, FALSE_TEXT} or len(question.choices) != 2:
            raise ValueError(
                "a true/false question needs exactly the choices of true_false_choices()"
            )
        correct = by_text[TRUE_TEXT].weight_percent == _HUNDRED
        right = by_text[TRUE_TEXT if correct else FALSE_TEXT].feedback
        wrong = by_text[FALSE_TEXT if correct else TRUE_TEXT].feedback
        answer = "TRUE" if correct else "FALSE"
        if wrong or right:
            answer += "#" + _with_format(wrong, None, fmt)
        if right:
            answer += "#" + _with_format(right, None, fmt)
        lines.append(f"\t{answer}")
    elif kind is QuestionKind.NUMERIC:
        lines.append("#")
        for numeric in question.numeric_answers:
            weight = "" if numeric.weight_percent == _HUNDRED else _weight(numeric.weight_percent)
            number = f"{_plain(numeric.value)}:{_plain(numeric.tolerance)}"
            lines.append(f"\t={weight}{number}{_answer_tail(numeric.feedback, fmt)}")
        if question.other_answer_feedback:
            lines.append(f"\t~#{_with_format(question.other_answer_feedback, None, fmt)}")
    elif kind is QuestionKind.MATCHING:
        for pair in question.pairs:
            if "->" in pair.prompt:
                raise ValueError(
                    f"GIFT cannot hold a matching prompt containing '->': {pair.prompt!r}"
                )
            prompt = _with_format(pair.prompt, pair.prompt_format, fmt) if pair.prompt else ""
            lines.append(f"\t={prompt} -> {_escape(pair.answer)}")
    if question.general_feedback:
        lines.append(f"\t####{_with_format(question.general_feedback, None, fmt)}")
    return lines


def _export_question(question: Question) -> str:
    errors = _check(question, question.line)
    if errors:
        raise FormatErrors(errors)
    title = f"::{_escape(question.title)}::" if question.title else ""
    text = question.text
    if not title and (text.startswith("//") or text.startswith("::")):
        title = "::::"  # an empty title, so the text is not read as a comment or a title
    marker = question.text_format if question.text_format is not TextFormat.MOODLE else None
    if question.kind is QuestionKind.DESCRIPTION:
        return title + _with_format(text, marker, TextFormat.MOODLE)
    block_lines = _export_block(question)
    if question.kind is QuestionKind.ESSAY:
        block = "{" + "".join(line.strip() for line in block_lines) + "}"
    else:
        block = "{\n" + "\n".join(block_lines) + "\n}"
    if BLANK in text and not text.endswith(BLANK):
        before, after = text.split(BLANK, 1)
        return title + _with_format(before, marker, TextFormat.MOODLE) + block + _escape(after)
    return title + _with_format(text, marker, TextFormat.MOODLE) + block


def export_gift(questions: Iterable[Question]) -> str:
    """Write questions as GIFT; `parse_gift` reads the result back to equal questions.

    A `$CATEGORY:` line is written whenever the category changes. Raises `FormatErrors`
    for a question that breaks its kind's rules, and ValueError for what GIFT cannot hold
    (a matching prompt containing "->", "->" in a short text question with more than one
    answer, a category with a line break).
    """
    parts: list[str] = []
    category = ""
    for question in questions:
        if question.category != category:
            if "\n" in question.category or "\r" in question.category:
                raise ValueError(f"a category cannot contain a line break: {question.category!r}")
            category = question.category
            parts.append(f"{_CATEGORY} {category}".rstrip())
        parts.append(_export_question(question))
    return "\n\n".join(parts) + "\n" if parts else ""


# --- Aiken ----------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"([A-Z])[.)][ \t]+(\S.*)")
_AIKEN_ANSWER = re.compile(r"ANSWER\s*:\s*(.*)")


def parse_aiken(text: str) -> list[Question]:
    """Read an Aiken file: each question is its text (one or more lines), two or more
    options `A. text` or `A) text`, and `ANSWER: X`. Blank lines are ignored.

    Every question is single choice. Raises `FormatErrors` with every problem found.
    """
    questions: list[Question] = []
    errors: list[FormatError] = []
    stem: list[str] = []
    stem_line = 0
    options: list[tuple[str, str]] = []
    failed = False

    def reset() -> None:
        nonlocal stem_line, failed
        stem.clear()
        options.clear()
        stem_line = 0
        failed = False

    for number, raw in enumerate(_normalise_newlines(text), start=1):
        line = raw.strip()
        if not line:
            continue
        option = _AIKEN_OPTION.fullmatch(line)
        answer = _AIKEN_ANSWER.fullmatch(line)
        if answer is not None and stem:
            letters = [letter for letter, _ in options]
            chosen = answer.group(1).strip().upper()
            if len(options) < 2:
                errors.append(FormatError("aiken_too_few_options", number, count=len(options)))
            elif chosen not in letters:
                errors.append(
                    FormatError(
                        "aiken_bad_answer",
                        number,
                        answer=answer.group(1).strip(),
                        letters=", ".join(letters),
                    )
                )
            elif not failed:
                choices = tuple(
                    Choice(option_text, _HUNDRED if letter == chosen else Decimal(0))
                    for letter, option_text in options
                )
                questions.append(
                    Question(
                        QuestionKind.SINGLE_CHOICE, "\n".join(stem), choices=choices, line=stem_line
                    )
                )
            reset()
        elif option is not None and stem:
            letter = option.group(1)
            if any(letter == seen for seen, _ in options):
                errors.append(FormatError("aiken_duplicate_option", number, letter=letter))
                failed = True
            options.append((letter, option.group(2).strip()))
        elif option is not None:
            errors.append(
                FormatError("aiken_option_without_question", number, letter=option.group(1))
            )
        elif options:
            # A text line after the options: the question had no ANSWER: line, unless this
            # line continues it, which Aiken does not allow either.
            errors.append(FormatError("aiken_missing_answer", stem_line))
            reset()
            stem.append(line)
            stem_line = number
        elif answer is not None:
            errors.append(FormatError("aiken_unexpected_line", number))
        else:
            if not stem:
                stem_line = number
            stem.append(line)
    if stem:
        errors.append(FormatError("aiken_missing_answer", stem_line))
    if errors:
        raise FormatErrors(errors)
    return questions
