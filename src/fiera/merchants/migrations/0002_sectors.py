"""The business sectors merchants choose from, each with the ATECO 2025 codes it spans.

Every code is checked against the ``ateco`` package (ISTAT's ATECO 2025 table) when the
migration runs, so a mistyped code fails loudly instead of landing in the database.
"""

from django.db import migrations

# slug, English name, ATECO 2025 codes (division "14", group "23.4", class "20.42",
# subcategory "32.50.40").
SECTORS = [
    ("fashion", "Fashion", ["13", "14", "15"]),
    ("luxury", "Luxury goods", ["14.24", "15.12", "26.52", "32.12"]),
    ("food-wine", "Food & wine", ["01", "10", "11"]),
    ("cosmetics", "Cosmetics & fragrances", ["20.42"]),
    ("design-furniture", "Design & furniture", ["31", "23.41", "23.13", "27.40"]),
    ("sport", "Sport & outdoor", ["32.30", "30.92"]),
    ("jewellery", "Jewellery", ["32.12", "32.13"]),
    ("eyewear", "Eyewear", ["32.50.30", "32.50.40"]),
    ("home-textiles", "Home textiles", ["13.92"]),
    ("wine-spirits", "Wine & spirits", ["11.01", "11.02"]),
    ("ceramics-glass", "Ceramics & glass", ["23.1", "23.4"]),
]


def create_sectors(apps, schema_editor):
    import ateco

    sector_model = apps.get_model("merchants", "Sector")
    for slug, name, codes in SECTORS:
        for code in codes:
            if not ateco.validate(code, edition="2025"):
                raise ValueError(f"sector {slug}: {code!r} is not an ATECO 2025 code")
        sector_model.objects.update_or_create(
            slug=slug, defaults={"name": name, "ateco_codes": list(codes)}
        )


def delete_sectors(apps, schema_editor):
    sector_model = apps.get_model("merchants", "Sector")
    sector_model.objects.filter(slug__in=[slug for slug, _name, _codes in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]

    operations = [migrations.RunPython(create_sectors, delete_sectors)]
