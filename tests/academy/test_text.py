from fiera.academy.text import pick


def test_pick_prefers_the_language_then_its_base_then_fallbacks_then_english() -> None:
    texts = {"it": "Ciao", "en": "Hello", "zh": "你好"}
    assert pick(texts, "it") == "Ciao"
    assert pick(texts, "zh-hans") == "你好"
    assert pick(texts, "es", fallbacks=["it"]) == "Ciao"
    assert pick(texts, "es") == "Hello"
    assert pick({"es": "Hola"}, "it") == "Hola"
    assert pick({}, "it") == ""
    assert pick(None, "it") == ""
    assert pick({"it": ""}, "it") == ""


def test_the_base_factories_build_a_course_a_cohort_and_an_enrolment(db: object) -> None:
    from tests.academy import factories as af

    co = af.cohort(af.course(modules=2, lessons=3))
    e = af.enrolment(co)
    assert co.course.modules.count() == 2
    assert sum(m.lessons.count() for m in co.course.modules.all()) == 6
    assert e.cohort_id == co.pk and e.status == "active"
