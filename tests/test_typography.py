"""Russian and English typography, applied by docbuild in one place (issue 3)."""

from __future__ import annotations

from pathlib import Path

from docbuild.model import Paragraph, plain_text
from docbuild.project import Project
from docbuild.reader import read_project
from docbuild.languages import load_language
from docbuild.typography import NBSP, quote_marks, typeset

ROOT = Path(__file__).resolve().parent.parent
#: The rules docbuild reads from layouts/languages/ (the data, not a copy of it).
RULES = {code: load_language(ROOT / "layouts", code) for code in ("en", "ru")}


def test_quote_marks_by_language_and_depth():
    assert quote_marks(RULES["ru"], 0) == ("«", "»")
    assert quote_marks(RULES["ru"], 1) == ("„", "“")
    assert quote_marks(RULES["en"], 0) == ("\u201c", "\u201d")
    assert quote_marks(RULES["en"], 1) == ("\u2018", "\u2019")


def test_em_dash_takes_a_no_break_space_before_it():
    text = "Новый закон об инклюзивном образовании — позитивный шаг"
    assert typeset(text, RULES["ru"]) == f"Новый закон об{NBSP}инклюзивном образовании{NBSP}— позитивный шаг"


def test_short_prepositions_and_conjunctions_bind_to_the_next_word():
    text = "В июне и в июле полиция задержала несколько протестующих к 17 дням"
    out = typeset(text, RULES["ru"])
    assert out.startswith(f"В{NBSP}июне и{NBSP}в{NBSP}июле")
    assert f"к{NBSP}17" in out


def test_numbers_bind_to_units_years_and_months():
    out = typeset("Протесты начались 2 января 2022 года, около 10 000 человек, 2021 г., до 10 часов", RULES["ru"])
    assert f"2{NBSP}января" in out
    assert f"2022{NBSP}года" in out
    assert f"10{NBSP}000{NBSP}человек" in out
    assert f"2021{NBSP}г." in out
    assert f"10{NBSP}часов" in out


def test_initials_bind_to_the_surname():
    assert typeset("президент К.-Ж. Токаев", RULES["ru"]) == f"президент К.-Ж.{NBSP}Токаев"
    assert typeset("А. Атабек", RULES["ru"]) == f"А.{NBSP}Атабек"


def test_english_keeps_english_rules():
    text = "On January 7 he ordered troops to kill — a dozen in Almaty"
    assert typeset(text, RULES["en"]) == text
    assert typeset("Kazakhstan's", RULES["en"]) == "Kazakhstan\u2019s"


def test_rules_applied_to_the_real_russian_chapter():
    (chapter_set,) = read_project(Project.at(ROOT), ["kazakhstan"])
    russian = chapter_set.variant("ru")
    text = {p.id: plain_text(p.content) for p in russian.walk() if isinstance(p, Paragraph)}
    assert "приказ «открывать огонь на\u00a0поражение без предупреждения»" in text["protests-1"]
    assert f"(ОДКБ){NBSP}— региональному" in text["protests-1"]
    assert f"Касым-Жомарт Токаев" in text["protests-1"]
    assert f"около 10{NBSP}000{NBSP}человек" in text["intro-1"]
    assert '"' not in "".join(text.values()), "no straight quotes survive"
    assert "«экстремизме»" in text["intro-2"]
    english = chapter_set.variant("en")
    assert "\u201cshoot to kill without warning.\u201d" in plain_text(english.find("protests-1").content)
