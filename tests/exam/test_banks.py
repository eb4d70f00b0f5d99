"""Versions as question banks: each learning system's export imports as one bank per
question of the spec (each blank of a cloze table, where a format asks blanks on their own),
holding that question's every version, from which each student is given one.

Each is read as its consumer reads it: Moodle XML as Moodle's qformat_xml does (a
``<question type="category">`` puts the questions after it into its category:
question/format/xml/format.php, import_category), GIFT by gift-pegjs, Canvas's text2qti
file by text2qti's own parser, and the QTI package by IMS's QTI 1.2.1 DTD."""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from symparams import exam
from tools import gift_parse, require

ROOT = Path(__file__).resolve().parents[2]
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11+")
VERSIONS = 3


@pytest.fixture(scope="module")
def drawn():
    out = {}
    for name in ("cnn", "cloze", "torch_rnn"):
        spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / f"{name}.toml")
        out[name] = spec, exam.draw(spec, VERSIONS, seed=2)[0]
    return out


def _slots(variants, blanks: bool) -> list:
    """The slots a student's quiz has: each question, or each blank asked on its own."""
    slots = set()
    for v in variants:
        for q in v.questions:
            if q.blanks and blanks:
                slots |= {(q.index, i) for i, b in enumerate(q.blanks, start=1) if b.column != "shape"}
            else:
                slots.add((q.index, 0))
    return sorted(slots)


def _title(slot) -> str:
    return f"Question {slot[0]}" + (f", blank {slot[1]}" if slot[1] else "")


def _version_of(name: str) -> int:
    return int(name.split("version ")[1].split(",")[0])


@needs_toml
def test_moodle_xml_puts_each_question_in_its_own_category(drawn):
    for name, (spec, variants) in drawn.items():
        root = ET.fromstring(exam.write(spec, variants, "moodle").encode("utf-8"))
        current, held, infos = None, {}, {}
        for q in root.findall("question"):
            if q.get("type") == "category":      # as qformat_xml's import_category reads it
                current = q.find("category/text").text
                info = q.find("info")
                assert info is not None and info.get("format") == "html"
                infos[current] = info.find("text").text
                continue
            held.setdefault(current, []).append(q.find("name/text").text)
        top = f"$course$/symparams/{spec.title}"
        assert list(held) == [f"{top}/{_title(s)}" for s in _slots(variants, blanks=False)], name
        for category, names in held.items():
            assert sorted(_version_of(n) for n in names) == list(range(1, VERSIONS + 1)), category
        # the spec's category says how to make the quiz: a random question from each
        assert "random question" in infos[top] and "Question 1" in infos[top]


@needs_toml
def test_a_slash_in_the_title_stays_in_one_category_name(drawn):
    spec, variants = drawn["cnn"]
    slashed = exam.Spec(**{**spec.__dict__, "title": "CNN 1/2"})
    root = ET.fromstring(exam.write(slashed, variants, "moodle").encode("utf-8"))
    assert root.find("question/category/text").text == "$course$/symparams/CNN 1//2"


@needs_toml
def test_canvas_has_one_group_per_slot_picking_one(drawn):
    from text2qti.config import Config
    from text2qti.quiz import GroupEnd, GroupStart, Question, Quiz

    for name, (spec, variants) in drawn.items():
        quiz = Quiz(exam.write(spec, variants, "canvas"), config=Config())
        groups, current = [], None
        for part in quiz.questions_and_delims:
            if isinstance(part, GroupStart):
                current = []
                assert part.group.pick == 1
                points = part.group.points_per_question
            elif isinstance(part, GroupEnd):
                groups.append((points, current))
                current = None
            elif isinstance(part, Question):
                assert current is not None, f"{name}: a question outside every group"
                current.append(part.title_raw)
        slots = _slots(variants, blanks=True)
        assert len(groups) == len(slots), name
        for (points, titles), slot in zip(groups, slots):
            assert points == spec.questions[slot[0] - 1].points
            assert sorted(_version_of(t) for t in titles) == list(range(1, VERSIONS + 1)), (name, slot)
            assert all(f"question {slot[0]}" in t for t in titles)


@needs_toml
def test_canvas_refuses_points_a_group_cannot_give(drawn, tmp_path):
    spec, variants = drawn["cnn"]
    half = [exam.Posed(**{**q.__dict__, "spec": exam.Question(**{**q.spec.__dict__, "points": 1.5})})
            for q in variants[0].questions]
    odd = [exam.Variant(**{**variants[0].__dict__, "questions": tuple(half)})]
    with pytest.raises(exam.SpecError, match=r"points = 1.5: a Canvas question group"):
        exam.write(exam.Spec(**{**spec.__dict__, "questions": tuple(q.spec for q in half)}), odd, "canvas")


def _qti(spec, variants) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
        member = next(n for n in z.namelist() if n != "imsmanifest.xml")
        return ET.fromstring(z.read(member))


@needs_toml
def test_qti_has_one_section_per_slot_selecting_one(drawn):
    ns = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
    for name, (spec, variants) in drawn.items():
        root = _qti(spec, variants).find("q:assessment/q:section", ns)
        assert root.get("ident") == "root_section"
        sections = root.findall("q:section", ns)
        assert [s.get("title") for s in sections] == [_title(s) for s in _slots(variants, blanks=True)], name
        for s in sections:
            assert s.find("q:selection_ordering/q:selection/q:selection_number", ns).text == "1"
            items = s.findall("q:item", ns)
            assert sorted(_version_of(i.get("title")) for i in items) == list(range(1, VERSIONS + 1))
        assert not root.findall("q:item", ns)       # every item is in a slot's section


@needs_toml
def test_qti_written_by_two_processes_is_the_same_bytes(drawn):
    spec = exam.Spec.from_toml(ROOT / "templates" / "exam" / "cnn.toml")
    variants, _ = exam.draw(spec, 120, seed=5)
    assert exam.write(spec, variants, "qti", jobs=1) == exam.write(spec, variants, "qti", jobs=2)


@pytest.mark.slow
@needs_toml
def test_gift_categories_per_slot_as_gift_pegjs_reads_them(drawn):
    for name, (spec, variants) in drawn.items():
        parsed = gift_parse(exam.write(spec, variants, "gift"))
        held, current = {}, None
        for q in parsed:
            if q["type"] == "Category":
                current = q["title"]
                continue
            held.setdefault(current, []).append(q["title"])
        top = f"$course$/symparams/{spec.title}"
        assert list(held) == [f"{top}/{_title(s)}" for s in _slots(variants, blanks=True)], name
        for names in held.values():
            assert sorted(_version_of(n) for n in names) == list(range(1, VERSIONS + 1))


@pytest.mark.slow
@needs_toml
def test_qti_sections_valid_against_ims_dtd(drawn):
    """The sections as IMS's QTI 1.2.1 DTD allows them. Canvas reads a section's points per
    item from ``selection_extension``, the standard's own extension point (``ANY`` in the DTD,
    whose content the DTD cannot declare): its content comes off before validating."""
    from tools import qti_dtd, qti_errors

    dtd = qti_dtd()
    require("lxml and IMS's QTI 1.2.1 DTD (.ci/run fetches it)", dtd is not None)
    for name, (spec, variants) in drawn.items():
        with zipfile.ZipFile(io.BytesIO(exam.write(spec, variants, "qti"))) as z:
            member = next(n for n in z.namelist() if n != "imsmanifest.xml")
            xml = z.read(member)
        assert b"<points_per_item>" in xml
        assert qti_errors(dtd, _without_extensions(xml)) == [], name


def _without_extensions(xml: bytes) -> bytes:
    import re
    return re.sub(rb"<selection_extension>.*?</selection_extension>", b"", xml, flags=re.S)
