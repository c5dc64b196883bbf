"""The demo's alumni: about half the certified founders of "masterclass-2026" in the
directory with headlines (a merchant owner's company taken from their merchant), a dozen
posts with about thirty replies, the same with the same seed; nothing without the cohort."""

from __future__ import annotations

import pytest

from fiera.academy import alumni
from fiera.academy.models import AlumniPost, AlumniProfile, AlumniReply, Enrolment
from fiera.demo.academy_alumni import build_academy_alumni
from tests.academy import factories as af
from tests.academy.alumni_factories import NOW, certified
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def test_without_the_cohort_nothing_is_written() -> None:
    certified(af.cohort(slug="another"))
    assert "skipped" in build_academy_alumni(now=NOW)
    assert not AlumniPost.objects.exists() and not AlumniProfile.objects.exists()


def test_the_masterclass_community() -> None:
    co = af.cohort(slug="masterclass-2026")
    owners = []
    for n in range(6):
        m = f.merchant(display_name=f"Azienda {n}")
        owners.append(certified(co, f.staff(m)))
    for n in range(14):
        e = certified(co, f.user(role="learner", first_name="Ana", last_name=f"García {n}"))
        e.language = "es" if n % 2 else "it"
        e.save()
    af.enrolment(co)  # not certified: never listed
    line = build_academy_alumni(now=NOW, seed=11)
    assert "10 of 20" in line and "12 board posts" in line
    listed = Enrolment.objects.filter(cohort=co, alumni_listed=True)
    assert listed.count() == 10 and not listed.filter(certified_at__isnull=True).exists()
    profiles = list(AlumniProfile.objects.all())
    assert len(profiles) == 10 and all(p.headline and p.name for p in profiles)
    for p in profiles:
        if p.company_merchant_id:
            assert p.company_name.startswith("Azienda ")
        else:
            assert p.company_name and p.country in {"IT", "ES"}
    assert AlumniPost.objects.count() == 12
    assert 28 <= AlumniReply.objects.count() <= 34
    assert AlumniPost.objects.filter(title__contains="Olio in Cina").exists()
    assert AlumniPost.objects.filter(title__contains="aduanas").exists()
    member = listed.first()
    assert member is not None
    rows = alumni.alumni_directory(actor_id=member.user_id, actor_role="learner")
    assert len(rows) == 10
    first = sorted((p.user_id, p.headline) for p in profiles)
    build_academy_alumni(now=NOW, seed=11)  # again: the same people and texts
    assert sorted((p.user_id, p.headline) for p in AlumniProfile.objects.all()) == first
    assert AlumniPost.objects.count() == 12
