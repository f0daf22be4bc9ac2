"""Checks of the large-print editions (RNIB / APH Clear Print), on top of the standard ones.

A large-print PDF or DOCX must pass every check of its format, and also say
what makes it large print, read back from the file: the body set at 18 pt or
more, in a sans-serif face, with line spacing of at least 1.5, left-aligned,
and no italic anywhere.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import CheckResult, Expected, docx, pdf, rule
from .archive import read_parts

#: Clear Print's floor for body text, in points, and its line spacing.
MIN_BODY_PT = 18.0
MIN_LINE_SPACING = 1.5
#: Share of the characters that may be smaller (note reference numbers set as superscripts).
SMALL_SHARE = 0.05


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    if path.suffix == ".pdf":
        return pdf.check(path, expected, run_validators) + [_pdf_type(path), _pdf_faces(path)]
    return docx.check(path, expected, run_validators) + [_docx_type(path)]


# --------------------------------------------------------------------------
# PDF: sizes and spacing from the content streams


def _text_runs(path: Path) -> list[tuple[float, float, int]]:
    """(size in points, baseline y, characters) of every text run inside marked content (not artifacts)."""
    import pikepdf

    runs = []
    with pikepdf.open(path) as document:
        for page in document.pages:
            scale, size, y, artifact = 1.0, 0.0, 0.0, []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "cm":
                    scale *= abs(float(operands[3])) or 1.0
                elif op == "q":
                    artifact.append(None)
                elif op in ("BDC", "BMC"):
                    artifact.append(str(operands[0]) == "/Artifact")
                elif op == "EMC" and artifact:
                    artifact.pop()
                elif op == "Tf":
                    size = float(operands[1])
                elif op == "Tm":
                    y = float(operands[5])
                elif op in ("Tj", "TJ") and not any(a for a in artifact if a is not None):
                    strings = operands[0] if op == "TJ" else [operands[0]]
                    count = sum(len(bytes(s)) // 2 for s in strings if isinstance(s, pikepdf.String))
                    runs.append((round(size * scale * abs(float(1)), 2), y * scale, count))
                elif op == "Q" and artifact and artifact[-1] is None:
                    artifact.pop()
    return runs


@rule("docbuild:large-type", "body text at 18 pt or more, line spacing 1.5 or more")
def _pdf_type(path: Path):
    runs = _text_runs(path)
    characters = Counter()
    for size, _, count in runs:
        characters[size] += count
    total = sum(characters.values())
    body = characters.most_common(1)[0][0] if characters else 0.0
    small = sum(count for size, count in characters.items() if size < MIN_BODY_PT - 0.05)
    problems = []
    if body < MIN_BODY_PT - 0.05:
        problems.append(f"body text is set at {body:g} pt; large print needs {MIN_BODY_PT:g} pt or more")
    if total and small / total > SMALL_SHARE:
        problems.append(f"{small} of {total} characters are smaller than {MIN_BODY_PT:g} pt")
    steps = Counter(
        round(abs(b[1] - a[1]), 1) for a, b in zip(runs, runs[1:]) if a[0] == b[0] == body and abs(b[1] - a[1]) > 1
    )
    spacing = steps.most_common(1)[0][0] / body if steps and body else 0.0
    if spacing < MIN_LINE_SPACING - 0.01:
        problems.append(f"lines of body text are {spacing:.2f} × the type size apart; large print needs {MIN_LINE_SPACING}")
    return problems, f"body text at {body:g} pt, lines {spacing:.2f} × apart; {total - small} of {total} characters at {MIN_BODY_PT:g} pt or more"


@rule("docbuild:large-faces", "a sans-serif face, no italic")
def _pdf_faces(path: Path):
    import pikepdf

    names = set()
    with pikepdf.open(path) as document:
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.add(str(font.get("/BaseFont", "")).split("+")[-1])
    problems = [f"font {name} is italic" for name in sorted(names) if "Italic" in name]
    problems += [f"font {name} is not sans-serif" for name in sorted(names) if "Sans" not in name]
    return problems, f"fonts: {', '.join(sorted(names))}"


# --------------------------------------------------------------------------
# DOCX: the styles and runs


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@rule("docbuild:large-type", "body text at 18 pt or more in a sans-serif face, spacing 1.5, left-aligned, no italic")
def _docx_type(path: Path):
    from lxml import etree

    parts = read_parts(path)
    styles = etree.fromstring(parts["word/styles.xml"])
    document = etree.fromstring(parts["word/document.xml"])
    problems = []
    defaults = styles.find(f"{_W}docDefaults")
    size = defaults.find(f".//{_W}rPr/{_W}sz")
    points = int(size.get(f"{_W}val")) / 2 if size is not None else 0
    if points < MIN_BODY_PT:
        problems.append(f"the default text size is {points:g} pt; large print needs {MIN_BODY_PT:g} pt or more")
    fonts = defaults.find(f".//{_W}rPr/{_W}rFonts")
    face = fonts.get(f"{_W}ascii", "") if fonts is not None else ""
    if "Sans" not in face:
        problems.append(f"the default face is '{face}', not sans-serif")
    spacing = defaults.find(f".//{_W}pPr/{_W}spacing")
    line = int(spacing.get(f"{_W}line", "240")) / 240 if spacing is not None else 1.0
    if line < MIN_LINE_SPACING:
        problems.append(f"line spacing is {line:.2f}; large print needs {MIN_LINE_SPACING}")
    for name, root in (("styles", styles), ("document", document)):
        if root.find(f".//{_W}i") is not None:
            problems.append(f"italic in {name}.xml")
        if root.find(f".//{_W}jc[@{_W}val='both']") is not None:
            problems.append(f"justified text in {name}.xml")
    return problems, f"default {points:g} pt {face}, line spacing {line:.2f}, no italic, not justified"
