"""The three faces of a check report: a terminal table, JSON for CI, HTML for people.

The JSON keys are stable (CI parses them); the HTML report is rendered by
``layouts/report.html.j2`` with autoescaping, since reasons quote text from
the editions.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..output import write_atomic
from ..project import Project
from . import CheckReport

#: Report format version: bump when a key changes meaning.
JSON_VERSION = 1


def summary(report: CheckReport) -> str:
    counts = Counter(r.status for e in report.editions for r in e.results)
    parts = [f"{counts[s]} {s}" for s in ("pass", "fail", "not run", "warn") if counts[s]]
    verdict = "PASSED" if report.passed else "FAILED"
    note = " (--require-validators: 'not run' fails)" if report.require_validators and counts["not run"] else ""
    return f"{verdict}: {len(report.editions)} editions, " + ", ".join(parts or ["no checks"]) + note


def table(report: CheckReport, width: int | None = None) -> str:
    """Edition × check, one line each: status, rule id, check, and why.

    Lines are cut to ``width`` (a terminal's); without one (a pipe, a CI
    log) the reasons are printed in full.
    """
    rows = [(e.path.name, r.status, r.rule, r.title, r.reason) for e in report.editions for r in e.results]
    if not rows:
        return "no editions to check\n" + summary(report)
    name_w = max(len(r[0]) for r in rows)
    rule_w = max(len(r[2]) for r in rows)
    title_w = min(max(len(r[3]) for r in rows), 52)
    lines = []
    previous = None
    for name, status, rule, title, reason in rows:
        shown = name if name != previous else ""
        previous = name
        line = f"{shown:<{name_w}}  {status.upper():<7}  {rule:<{rule_w}}  {title[:title_w]:<{title_w}}  {reason}"
        lines.append(line if width is None or len(line) <= width else line[: width - 1] + "…")
    lines.append(summary(report))
    return "\n".join(lines)


def as_json(report: CheckReport) -> dict:
    return {
        "version": JSON_VERSION,
        "passed": report.passed,
        "require_validators": report.require_validators,
        "strict": report.strict,
        "rebuilt": [str(p) for p in report.rebuilt],
        "editions": [
            {
                "file": str(e.path),
                "format": e.fmt,
                "chapter": e.chapter,
                "lang": e.lang,
                "paper": e.paper,
                "passed": not e.failures(report.require_validators),
                "checks": [
                    {"rule": r.rule, "check": r.title, "status": r.status, "reason": r.reason} for r in e.results
                ],
                "human_review": list(e.human_review),
            }
            for e in report.editions
        ],
    }


def to_json(report: CheckReport) -> str:
    return json.dumps(as_json(report), ensure_ascii=False, indent=2) + "\n"


def write_html(report: CheckReport, path: Path, project: Project) -> Path:
    """Render ``layouts/report.html.j2`` to ``path`` (atomically)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(project.layouts)),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    html = env.get_template("report.html.j2").render(report=as_json(report), summary=summary(report))
    write_atomic(path, html.encode("utf-8"))
    return path
