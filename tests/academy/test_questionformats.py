"""GIFT import/export and Aiken import (fiera.academy.questionformats).

The two data files are Moodle's own samples: its GIFT examples file
(question/format/gift/examples.txt) and its importer test fixture
(question/format/gift/tests/fixtures/questions.gift.txt).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiera.academy.questionformats import (
    BLANK,
    MESSAGES,
    Choice,
    FormatError,
    FormatErrors,
    MatchPair,
    NumericAnswer,
    Question,
    QuestionKind,
    TextFormat,
    export_gift,
    parse_aiken,
    parse_gift,
    true_false_choices,
)

DATA = Path(__file__).parent / "questionformats_data"
K = QuestionKind
D = Decimal


def weights(question: Question) -> list[Decimal]:
    return [choice.weight_percent for choice in question.choices]


def texts(question: Question) -> list[str]:
    return [choice.text for choice in question.choices]


def errors_of(text: str, **options: bool) -> list[tuple[str, int]]:
    with pytest.raises(FormatErrors) as raised:
        parse_gift(text, **options)
    return [(error.code, error.line) for error in raised.value.errors]


# --- Moodle's examples ------------------------------------------------------------------


def test_moodle_examples_file_imports_with_the_expected_kinds() -> None:
    questions = parse_gift((DATA / "moodle_gift_examples.txt").read_text(encoding="utf-8"))

    assert [q.kind for q in questions] == [
        # from the class description
        K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.TRUE_FALSE, K.SHORT_TEXT, K.NUMERIC,
        # multiple choice
        K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.SINGLE_CHOICE,
        # short answer, true-false, matching, numerical
        K.SHORT_TEXT, K.SHORT_TEXT, K.TRUE_FALSE, K.TRUE_FALSE, K.MATCHING, K.MATCHING,
        K.NUMERIC, K.NUMERIC, K.NUMERIC, K.NUMERIC, K.NUMERIC,
        # names, feedback, format, weights
        K.SHORT_TEXT, K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.SHORT_TEXT, K.SHORT_TEXT,
        K.TRUE_FALSE, K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.SHORT_TEXT,
        # multiple answers, special characters
        K.MULTIPLE_CHOICE, K.MULTIPLE_CHOICE, K.SINGLE_CHOICE, K.SINGLE_CHOICE,
        # from format.php
        K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.TRUE_FALSE, K.SHORT_TEXT, K.NUMERIC, K.MATCHING,
        # more complicated
        K.SINGLE_CHOICE, K.SINGLE_CHOICE, K.SHORT_TEXT, K.NUMERIC,
    ]  # fmt: skip
    first, missing_word, false, short, numeric = questions[:5]
    assert first.text == "Who's buried in Grant's tomb?"
    assert texts(first) == ["Grant", "Jefferson", "no one"]
    assert weights(first) == [0, 0, 100]
    assert missing_word.text == f"Grant is {BLANK} in Grant's tomb."
    assert [c.is_correct for c in missing_word.choices] == [False, True, False]
    assert false.choices == true_false_choices(correct=False)
    assert texts(short) == ["no one", "nobody"]
    assert numeric.numeric_answers == (NumericAnswer(D(1822), D(1)),)
    assert first.line == 9 and numeric.line == 17


def test_moodle_examples_details() -> None:
    questions = parse_gift((DATA / "moodle_gift_examples.txt").read_text(encoding="utf-8"))
    by_line = {q.line: q for q in questions}

    thanksgiving = by_line[30]
    assert thanksgiving.text == (
        f"The American holiday of Thanksgiving is celebrated on the {BLANK} Thursday of November."
    )
    countries = by_line[62]
    assert countries.pairs[3] == MatchPair("India", "New Delhi")
    assert by_line[73].numeric_answers == (NumericAnswer(D("3.1415"), D("0.0005")),)
    assert by_line[75].numeric_answers == by_line[73].numeric_answers  # {#3.141..3.142}
    assert by_line[77].numeric_answers == (
        NumericAnswer(D(1822), D(0)),
        NumericAnswer(D(1822), D(2), D(50)),
    )
    kanji = by_line[91]
    assert kanji.title == "Kanji Origins"
    assert kanji.text == "Japanese characters originally\ncame from what country?"
    assert by_line[99].choices[2] == Choice("right answer", D(100), "Very good!")
    markdown = by_line[109]
    assert markdown.text_format is TextFormat.MARKDOWN
    assert markdown.text == "Who's buried in **Grant's tomb**?"
    assert by_line[114].choices[0].feedback == "No one is buried in Grant's tomb."
    hometown = by_line[118]
    assert weights(hometown) == [0, 25, 50, 100]
    assert hometown.text == f"Jesus Christ was from {BLANK}."
    assert weights(by_line[124]) == [100, 75, 25]
    assert weights(by_line[131]) == [0, 50, 50, 0]
    assert weights(by_line[137]) == [-50, 50, 50, -50]
    assert texts(by_line[144]) == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    control = by_line[149]
    assert texts(control) == ["~", "=", "#", "{", "}", "\\"]
    assert control.choices[0].feedback == "~ is a control character."
    assert control.choices[5].feedback.startswith("Correct! \\ (backslash) is not")
    numerical = by_line[203]
    assert numerical.numeric_answers[1].feedback.startswith("He was born in 1822.\n")


def test_moodle_importer_fixture() -> None:
    source = (DATA / "moodle_gift_fixture.txt").read_text(encoding="utf-8")
    essay, activities, q2, colours, q5, animal, q1, tsl_t, tsl_true = parse_gift(
        source, allow_unsupported=True
    )

    assert essay.kind is K.ESSAY and not essay.kind.is_supported
    assert (essay.title, essay.text, essay.line) == ("Q8", "How are you?", 2)
    assert activities.kind is K.MATCHING and activities.text_format is TextFormat.HTML
    assert activities.text == "Match the <b>activity</b> to the description."
    assert [p.prompt_format for p in activities.pairs] == [
        None,  # [html], the question's own format
        TextFormat.MOODLE,
        TextFormat.PLAIN,
        TextFormat.MARKDOWN,
        None,
    ]
    assert activities.pairs[4] == MatchPair("", "Chat")  # an extra answer, no prompt
    assert q2.kind is K.SINGLE_CHOICE
    assert q2.choices[1] == Choice("red", D(0), "wrong, it's yellow")  # [html] dropped
    assert q2.choices[2] == Choice("blue", D(0), "wrong, it's yellow", TextFormat.PLAIN)
    assert colours.kind is K.MULTIPLE_CHOICE
    assert weights(colours) == [50, -100, 50, -100]
    assert q5.numeric_answers == (NumericAnswer(D(3), D(2)),)
    assert q5.other_answer_feedback == "Completely wrong"
    assert animal.choices[2] == Choice("*", D(0), "Completely wrong")
    assert q1.kind is K.TRUE_FALSE
    assert q1.choices == true_false_choices(
        correct=False,
        feedback_if_true="42 is the Ultimate Answer.",
        feedback_if_false="You gave the right answer.",
    )
    assert q1.general_feedback.startswith("This is, of course, a Hitchiker's Guide")
    assert tsl_t == tsl_true
    assert tsl_t.choices == true_false_choices(correct=True)


def test_essay_is_an_error_unless_allowed() -> None:
    source = (DATA / "moodle_gift_fixture.txt").read_text(encoding="utf-8")

    assert errors_of(source) == [("gift_unsupported_essay", 2)]


def test_moodle_documentation_samples() -> None:
    """The numbered samples on docs.moodle.org's GIFT format page (Q1-Q8)."""
    source = """// true/false
::Q1:: 1+1=2 {T}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

// fill-in-the-blank
::Q3:: Two plus {=two =2} equals four.

// math range question
::Q5:: What is a number from 1 to 5? {#3:2}

// math range specified with interval end points
::Q6:: What is a number from 1 to 5? {#1..5}

// multiple numeric answers with partial credit and feedback
::Q7:: When was Ulysses S. Grant born? {#
         =1822:0      # Correct! Full credit.
         =%50%1822:2  # He was born in 1822. Half credit for being close.
}
"""
    q1, q2, q3, q5, q6, q7 = parse_gift(source)

    assert q1.kind is K.TRUE_FALSE and q1.text == "1+1=2"
    assert q2.kind is K.SINGLE_CHOICE and weights(q2) == [100, 0, 0]
    assert q3.kind is K.SHORT_TEXT and q3.text == f"Two plus {BLANK} equals four."
    assert q5.numeric_answers == q6.numeric_answers == (NumericAnswer(D(3), D(2)),)
    assert q6.numeric_answers[0].low == 1 and q6.numeric_answers[0].high == 5
    assert q7.numeric_answers[1] == NumericAnswer(
        D(1822), D(2), D(50), "He was born in 1822. Half credit for being close."
    )


def test_two_pair_matching_sample_is_refused() -> None:
    """Q4 of the documentation page has two pairs: Moodle's matching questions need three
    (its GIFT importer alone lets two through), and so do ours."""
    source = "::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }"

    assert errors_of(source) == [("gift_matching_needs_three", 1)]


# --- syntax -----------------------------------------------------------------------------


def test_escapes_comments_and_newline_entity() -> None:
    source = (
        "// a comment line\n"
        "::Ti\\:tle::Is 2\\=2 \\{really\\} \\#1 \\~ or C\\:\\\\temp\\? A\\nB {\n"
        "  // a comment inside the answers\n"
        "  =yes\\~ \\= \\# \\{ \\} \\:#fine \\# still feedback\n"
        "  ~no\n"
        "}"
    )
    (question,) = parse_gift(source)

    assert question.title == "Ti:tle"
    assert question.text == "Is 2=2 {really} #1 ~ or C:\\temp\\? A\nB"
    assert question.choices[0] == Choice("yes~ = # { } :", D(100), "fine # still feedback")
    assert question.line == 2


def test_general_feedback_and_per_answer_feedback() -> None:
    (question,) = parse_gift("Q? {=a#right ~b#wrong ####Because.}")

    assert question.general_feedback == "Because."
    assert [c.feedback for c in question.choices] == ["right", "wrong"]


def test_short_answer_without_equals_and_case_note() -> None:
    (question,) = parse_gift("Capital of Italy? {Rome}")

    assert question.kind is K.SHORT_TEXT
    assert question.choices == (Choice("Rome", D(100)),)


def test_true_false_spellings_and_lowercase_is_short_text() -> None:
    kinds = [q.kind for q in parse_gift("A {T}\n\nB {TRUE}\n\nC {F}\n\nD {FALSE}\n\nE {true}")]

    assert kinds == [K.TRUE_FALSE] * 4 + [K.SHORT_TEXT]  # Moodle reads only capitals


def test_true_false_feedback_goes_to_the_choice_the_learner_picks() -> None:
    (question,) = parse_gift("The sun is a star. {TRUE#No, it is.#Yes.}")

    assert question.choices == true_false_choices(
        correct=True, feedback_if_true="Yes.", feedback_if_false="No, it is."
    )


def test_categories_apply_to_the_following_questions() -> None:
    source = (
        "$CATEGORY: $course$/Maths\n"
        "\n"
        "One {T}\n"
        "\n"
        "// question: 0\n"
        "Two {F}\n"
        "\n"
        "$CATEGORY: $course$/Physics\n"
        "Three {T}\n"
        "\n"
        "$CATEGORY:\n"
        "\n"
        "Four {T}\n"
    )
    questions = parse_gift(source)

    assert [(q.text, q.category) for q in questions] == [
        ("One", "$course$/Maths"),
        ("Two", "$course$/Maths"),
        ("Three", "$course$/Physics"),  # a question right under its $CATEGORY line
        ("Four", ""),  # an empty path goes back to no category
    ]
    assert [q.line for q in questions] == [3, 6, 9, 13]


def test_windows_line_endings_and_bom() -> None:
    source = "\ufeff::T::First line\r\nsecond line {\r\n=a\r\n=b}\r\n\r\nNext {T}\r\n"
    first, second = parse_gift(source)

    assert first.text == "First line\nsecond line"
    assert first.title == "T"
    assert (first.line, second.line) == (1, 6)
    assert errors_of("\ufeffQ {T}\r\n\r\nQ2 {=a\r\n=b\r\n") == [("gift_unclosed_brace", 3)]
    assert errors_of("Q {T}\r\rQ2 {=a") == [("gift_unclosed_brace", 3)]  # old Mac endings


# --- errors -----------------------------------------------------------------------------

ERROR_CASES = [
    ("Q1 {T}\n\nQuestion two\n{=a\n=b", "gift_unclosed_brace", 4),
    ("Q {=a {=b}", "gift_unclosed_brace", 1),
    ("Question } {T}", "gift_unopened_brace", 1),
    ("Q {T}\nand more }", "gift_unopened_brace", 2),
    ("Q {=a} and {=b}", "gift_multiple_answer_blocks", 1),
    ("Q {=a}\nand\n{=b}", "gift_multiple_answer_blocks", 3),
    ("::Title Q {T}", "gift_unclosed_title", 1),
    ("::t:: {T}", "gift_empty_text", 1),
    ("Q {#}", "gift_no_answer", 1),
    ("Q {#\n~#Anything else is wrong.}", "gift_no_answer", 1),
    ("Q {~a ~ =b}", "gift_empty_answer", 1),
    ("Q {\n=a\n=\n}", "gift_empty_answer", 3),
    ("Q {=a ~[html] }", "gift_empty_answer", 1),
    ("Q {a ~b =c}", "gift_answer_without_marker", 1),
    ("Q {~%100%only}", "gift_too_few_choices", 1),
    ("Q {=%50%a ~b}", "gift_no_full_credit", 1),
    ("Q {=%50%a}", "gift_no_full_credit", 1),
    ("Q\n{#=%50%3}", "gift_no_full_credit", 2),
    ("Q {~%50%a ~%30%b ~c}", "gift_weights_not_100", 1),
    ("Q {\n~%abc%a\n=b}", "gift_bad_weight", 2),
    ("Q {~%150%a =b}", "gift_bad_weight", 1),
    ("Q {#abc}", "gift_bad_number", 1),
    ("Q {#3,14}", "gift_bad_number", 1),
    ("Q {#\n=1..x}", "gift_bad_number", 2),
    ("Q {#NaN}", "gift_bad_number", 1),
    ("Q {#3:-1}", "gift_bad_tolerance", 1),
    ("Q {#3:x}", "gift_bad_tolerance", 1),
    ("Q {#5..1}", "gift_bad_range", 1),
    ("Q {#3\n~wrong}", "gift_numeric_other_answer", 2),
    ("Q {=a -> 1 =b -> 2\n=c 3}", "gift_matching_no_arrow", 2),
    ("Q {=a -> 1 #good =b -> 2 =c -> 3}", "gift_matching_feedback", 1),
    ("Q {=a -> 1 =b -> 2}", "gift_matching_needs_three", 1),
    ("Q {=a -> 1 = -> 2 = -> 3}", "gift_matching_needs_two_prompts", 1),
    ("Q {=a -> 1 =b ->\n=c -> 3}", "gift_empty_answer", 1),
    ("Tell us about it.\n{}", "gift_unsupported_essay", 2),
    ("Just some text,\nno answers", "gift_unsupported_description", 1),
]


@pytest.mark.parametrize(("source", "code", "line"), ERROR_CASES)
def test_error_codes_with_line_numbers(source: str, code: str, line: int) -> None:
    padded = "// header\n\nFirst {T}\n\n" + source  # the question starts on line 5
    assert errors_of(source) == [(code, line)]
    assert errors_of(padded) == [(code, line + 4)]


def test_every_gift_error_code_is_tested() -> None:
    gift_codes = {code for code in MESSAGES if code.startswith("gift_")}
    assert gift_codes == {code for _, code, _ in ERROR_CASES}


def test_all_errors_are_reported_at_once_and_nothing_imports() -> None:
    source = "Good {T}\n\nBad {=a\n\nAlso good {F}\n\nQ {#x}\n\nQ {~a ~b}\n\n::t\n"

    with pytest.raises(FormatErrors) as raised:
        parse_gift(source)

    errors = raised.value.errors
    assert [(e.code, e.line) for e in errors] == [
        ("gift_unclosed_brace", 3),
        ("gift_bad_number", 7),
        ("gift_weights_not_100", 9),
        ("gift_unclosed_title", 11),
    ]
    assert errors[1].params == {"value": "x"}
    assert errors[2].params == {"total": "0"}
    assert "line 3:" in str(raised.value)


def test_error_carries_code_params_and_an_english_message() -> None:
    with pytest.raises(FormatErrors) as raised:
        parse_gift("Q {#5..1}")
    (error,) = raised.value.errors

    assert error == FormatError("gift_bad_range", 1, low="5", high="1")
    assert error.message == (
        "The range 5..1 is empty: the first number must not be larger than the second."
    )
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_formats_with_its_params(code: str) -> None:
    params = {"text": "x", "count": 1, "total": "80", "weight": "x", "value": "x"}
    params |= {"low": "5", "high": "1", "letter": "A", "answer": "Z", "letters": "A, B"}
    message = MESSAGES[code] % params  # no KeyError: every placeholder is known

    assert message.endswith((".", "”.")) and code.startswith(("gift_", "aiken_"))


def test_unsupported_kinds_can_be_returned_for_the_caller_to_list() -> None:
    essay, description, real = parse_gift(
        "::E::Tell us.{####Model answer.}\n\n::D::Read this first.\n\nQ {T}",
        allow_unsupported=True,
    )

    assert (essay.kind, essay.general_feedback, essay.line) == (K.ESSAY, "Model answer.", 1)
    assert (description.kind, description.text, description.line) == (
        K.DESCRIPTION,
        "Read this first.",
        3,
    )
    assert [q.line for q in (essay, description) if not q.kind.is_supported] == [1, 3]
    assert real.kind.is_supported


# --- export and round trips -----------------------------------------------------------


def test_export_escapes_and_reads_back() -> None:
    question = Question(
        K.SINGLE_CHOICE,
        "Is {x} = 2 # 3 ~ 4: C:\\temp\nnext line?",
        title="A::B",
        choices=(Choice("=yes", D(100), "# good {}"), Choice("~no", D(0), "bad\\")),
        general_feedback="####",
    )
    exported = export_gift([question])

    assert exported == (
        "::A\\:\\:B::Is \\{x\\} \\= 2 \\# 3 \\~ 4\\: C\\:\\\\temp\\nnext line?{\n"
        "\t=\\=yes#\\# good \\{\\}\n"
        "\t~\\~no#bad\\\\\n"
        "\t####\\#\\#\\#\\#\n"
        "}\n"
    )
    assert parse_gift(exported) == [question]


def test_export_keeps_the_blank_of_a_missing_word_question() -> None:
    question = Question(
        K.SHORT_TEXT, f"Two plus {BLANK} equals four.", choices=(Choice("two", D(100)),)
    )
    at_end = Question(K.SHORT_TEXT, f"Fill in: {BLANK}", choices=(Choice("x", D(100)),))

    assert export_gift([question]).startswith("Two plus {\n")
    assert parse_gift(export_gift([question, at_end])) == [question, at_end]


def test_export_protects_texts_that_look_like_markers_comments_or_weights() -> None:
    question = Question(
        K.MULTIPLE_CHOICE,
        "// not a comment",
        choices=(
            Choice("[html]<b>", D(50), "[plain] also text"),
            Choice("%25% off", D(50)),
            Choice("%", D(0)),
        ),
    )
    html = Question(K.SHORT_TEXT, "[markdown] text", text_format=TextFormat.HTML,
                    choices=(Choice("a", D(100), text_format=TextFormat.PLAIN),))  # fmt: skip

    assert parse_gift(export_gift([question, html])) == [question, html]


def test_export_refuses_what_gift_cannot_hold() -> None:
    two = (Choice("a->b", D(100)), Choice("c", D(100)))
    with pytest.raises(ValueError, match="->"):
        export_gift([Question(K.SHORT_TEXT, "Q", choices=two)])
    pairs = (MatchPair("a->b", "1"), MatchPair("c", "2"), MatchPair("d", "3"))
    with pytest.raises(ValueError, match="->"):
        export_gift([Question(K.MATCHING, "Q", pairs=pairs)])
    with pytest.raises(FormatErrors) as raised:
        export_gift([Question(K.SINGLE_CHOICE, "Q", choices=(Choice("a", D(100)),))])
    assert raised.value.errors[0].code == "gift_too_few_choices"


def test_a_single_short_answer_with_an_arrow_is_written_without_its_equals() -> None:
    question = Question(K.SHORT_TEXT, "Q", choices=(Choice("a->b", D(100), "x->y"),))

    assert export_gift([question]) == "Q{\n\ta->b#x->y\n}\n"
    assert parse_gift(export_gift([question])) == [question]


def test_export_writes_category_changes() -> None:
    questions = [
        Question(K.TRUE_FALSE, "A", choices=true_false_choices(correct=True), category="X/Y"),
        Question(K.TRUE_FALSE, "B", choices=true_false_choices(correct=False), category="X/Y"),
        Question(K.TRUE_FALSE, "C", choices=true_false_choices(correct=True)),
    ]
    exported = export_gift(questions)

    assert exported.count("$CATEGORY:") == 2
    assert parse_gift(exported) == questions


_SPECIAL = [*"~=#{}:\\\n[]%->*_/$.", "[html]", "[moodle]", "//", "::", BLANK, "####"]
_ALPHABET = st.one_of(
    st.sampled_from(_SPECIAL),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
)
_TEXT = st.lists(_ALPHABET, min_size=1, max_size=8).map("".join).map(str.strip).filter(bool)
_FEEDBACK = st.one_of(st.just(""), _TEXT)
_FORMAT = st.sampled_from(TextFormat)
_WEIGHT = st.sampled_from([D(0), D(100), D(50), D("33.33333"), D(-50), D("12.5"), D(-100)])
_NUMBER = st.decimals(min_value=-(10**6), max_value=10**6, places=3)
_TOLERANCE = st.decimals(min_value=0, max_value=1000, places=4)


def _own(marker: TextFormat | None, question_format: TextFormat) -> TextFormat | None:
    return None if marker == question_format else marker


@st.composite
def questions(draw: st.DrawFn) -> Question:
    kind = draw(st.sampled_from(QuestionKind))
    text_format = draw(_FORMAT)
    common = {
        "text": draw(_TEXT),
        "title": draw(st.one_of(st.just(""), _TEXT)),
        "text_format": text_format,
        "general_feedback": draw(_FEEDBACK) if kind is not K.DESCRIPTION else "",
        "category": draw(st.sampled_from(["", "$course$/Default", "Top/Maths: algebra"])),
    }

    def choice(weight: Decimal, text: str | None = None) -> Choice:
        marker = _own(draw(st.one_of(st.none(), _FORMAT)), text_format)
        return Choice(draw(_TEXT) if text is None else text, weight, draw(_FEEDBACK), marker)

    if kind is K.SINGLE_CHOICE:
        others = draw(st.lists(_WEIGHT, min_size=1, max_size=4))
        weights = draw(st.permutations([D(100), *others]))
        return Question(kind, choices=tuple(choice(w) for w in weights), **common)
    if kind is K.MULTIPLE_CHOICE:
        right = draw(st.sampled_from([[D(100)], [D(50), D(50)], [D("33.33333")] * 3]))
        wrong = draw(st.lists(st.sampled_from([D(0), D(-50), D(-100)]), max_size=3))
        weights = draw(st.permutations(right + wrong))
        if len(weights) < 2:
            weights.append(D(0))
        return Question(kind, choices=tuple(choice(w) for w in weights), **common)
    if kind is K.SHORT_TEXT:
        weights = [D(100), *draw(st.lists(_WEIGHT, max_size=3))]
        answers = tuple(choice(w) for w in weights)
        answers = tuple(
            Choice(a.text.replace("->", "-"), a.weight_percent, a.feedback.replace("->", "-"),
                   a.text_format)
            for a in answers
        )  # fmt: skip
        if any(not a.text.strip() or a.text != a.text.strip() for a in answers):
            answers = (Choice("answer", D(100)),)
        return Question(kind, choices=answers, **common)
    if kind is K.TRUE_FALSE:
        choices = true_false_choices(
            correct=draw(st.booleans()),
            feedback_if_true=draw(_FEEDBACK),
            feedback_if_false=draw(_FEEDBACK),
        )
        return Question(kind, choices=choices, **common)
    if kind is K.NUMERIC:
        answers = [
            NumericAnswer(draw(_NUMBER), draw(_TOLERANCE), weight, draw(_FEEDBACK))
            for weight in [D(100), *draw(st.lists(st.sampled_from([D(50), D(10)]), max_size=2))]
        ]
        other = draw(_FEEDBACK)
        return Question(kind, numeric_answers=tuple(answers), other_answer_feedback=other, **common)
    if kind is K.MATCHING:
        prompts = draw(st.lists(_TEXT.filter(lambda t: "->" not in t), min_size=2, max_size=4))
        extra = draw(st.integers(min_value=max(0, 3 - len(prompts)), max_value=2))
        pairs = [
            MatchPair(prompt, draw(_TEXT), _own(draw(st.one_of(st.none(), _FORMAT)), text_format))
            for prompt in prompts
        ] + [MatchPair("", draw(_TEXT)) for _ in range(extra)]
        return Question(kind, pairs=tuple(pairs), **common)
    return Question(kind, **common)  # essay, description


@given(st.lists(questions(), max_size=5))
def test_round_trip_export_then_parse_gives_the_same_questions(
    original: list[Question],
) -> None:
    exported = export_gift(original)

    assert parse_gift(exported, allow_unsupported=True) == original


@given(st.lists(questions(), min_size=1, max_size=3))
def test_round_trip_survives_windows_line_endings(original: list[Question]) -> None:
    exported = "\ufeff" + export_gift(original).replace("\n", "\r\n")

    assert parse_gift(exported, allow_unsupported=True) == original


# --- Aiken ------------------------------------------------------------------------------

AIKEN_SAMPLE = """What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def test_aiken_sample_imports() -> None:
    first, second = parse_aiken(AIKEN_SAMPLE)

    assert first.kind is K.SINGLE_CHOICE
    assert first.text == "What is the correct answer to this question?"
    assert texts(first) == [
        "Is it this one?",
        "Maybe this answer?",
        "Possibly this one?",
        "Must be this one!",
    ]
    assert weights(first) == [0, 0, 0, 100]
    assert (first.line, second.line) == (1, 8)
    assert texts(second)[0] == "Moodle" and weights(second)[0] == 100


def test_aiken_multi_line_question_crlf_bom_and_no_blank_lines() -> None:
    source = (
        "\ufeffFirst line\r\nsecond line?\r\nA. yes\r\nB. no\r\nANSWER: B\r\n"
        "Next?\r\nA) 1\r\nB) 2\r\nANSWER: A"
    )
    first, second = parse_aiken(source)

    assert first.text == "First line\nsecond line?"
    assert weights(first) == [0, 100]
    assert (second.text, second.line) == ("Next?", 6)


AIKEN_ERRORS = [
    ("A. an option first\nQ?\nA. a\nB. b\nANSWER: A", "aiken_option_without_question", 1),
    ("ANSWER: A\nQ?\nA. a\nB. b\nANSWER: A", "aiken_unexpected_line", 1),
    ("Q?\nA. a\nA. b\nANSWER: A", "aiken_duplicate_option", 3),
    ("Q?\nA. a\nANSWER: A", "aiken_too_few_options", 3),
    ("Q?\nA. a\nB. b", "aiken_missing_answer", 1),
    ("Q?\nA. a\nB. b\n\nNext?\nA. a\nB. b\nANSWER: A", "aiken_missing_answer", 1),
    ("Q?\nA. a\nB. b\nANSWER: C", "aiken_bad_answer", 4),
    ("Q?\nA. a\nB. b\nANSWER:", "aiken_bad_answer", 4),
]


@pytest.mark.parametrize(("source", "code", "line"), AIKEN_ERRORS)
def test_aiken_errors_with_line_numbers(source: str, code: str, line: int) -> None:
    with pytest.raises(FormatErrors) as raised:
        parse_aiken("First?\nA. a\nB. b\nANSWER: A\n\n" + source)

    assert [(e.code, e.line) for e in raised.value.errors] == [(code, line + 5)]


def test_every_aiken_error_code_is_tested() -> None:
    aiken_codes = {code for code in MESSAGES if code.startswith("aiken_")}
    assert aiken_codes == {code for _, code, _ in AIKEN_ERRORS}


def test_aiken_reports_every_error_at_once() -> None:
    with pytest.raises(FormatErrors) as raised:
        parse_aiken(
            "Q1?\nA. a\nB. b\nANSWER: Z\n\nQ2?\nA. a\nANSWER: A\n\nGood?\nA. a\nB. b\nANSWER: A"
        )

    assert [(e.code, e.line) for e in raised.value.errors] == [
        ("aiken_bad_answer", 4),
        ("aiken_too_few_options", 8),
    ]
    assert raised.value.errors[0].params == {"answer": "Z", "letters": "A, B"}


# --- robustness -------------------------------------------------------------------------

_SOURCE_PIECES = st.sampled_from(
    [
        *"ab ~=#{}:\\\n\r[]%->*_/$.T0159",
        *("[html]", "::", "//", "$CATEGORY:", "\n\n", "####", "..", "TRUE"),
        *("ANSWER: A", "A. ", "B) "),
    ]
)


@given(st.lists(_SOURCE_PIECES, max_size=40).map("".join))
def test_any_text_reads_or_fails_with_format_errors_and_reads_back_after_export(
    source: str,
) -> None:
    """No input makes the readers fail any other way (an upload is never a 500), every
    error points at a line of the file, and whatever reads also writes back unchanged."""
    line_count = len(source.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    try:
        questions = parse_gift(source, allow_unsupported=True)
    except FormatErrors as raised:
        assert raised.errors
        assert all(1 <= error.line <= line_count for error in raised.errors)
    else:
        try:
            exported = export_gift(questions)
        except FormatErrors:  # what parse_gift returns keeps its kind's rules
            raise
        except ValueError as refused:  # never: "->" needs a short answer without its =
            raise AssertionError(source) from refused
        else:
            assert parse_gift(exported, allow_unsupported=True) == questions
    try:
        parse_aiken(source)
    except FormatErrors as raised:
        assert all(1 <= error.line <= line_count for error in raised.errors)


def test_a_title_alone_is_an_empty_question() -> None:
    assert errors_of("::Only a title::", allow_unsupported=True) == [("gift_empty_text", 1)]
