"""Scale test data: a synthetic report of N chapters made from the sample sources (issue 16).

    python bench/make_report.py N OUT [--langs en,ru] [--force]

Writes a complete docbuild project into OUT (never into this checkout's
``source/``): ``layouts/`` and ``fonts/`` copied (docbuild refuses symbolic
links, so they are real copies), and ``source/`` with N chapters cycled from
the sample chapters ``kazakhstan`` and ``kazakhstan-january``, each with its
own id and title: ``kazakhstan-001`` "Kazakhstan 1", ``kazakhstan-january-002``
"Kazakhstan: Crackdown after the January Protests 2", ... in the languages
asked for (default en and ru; a template without a language is copied without
it). Translations whose original only changed its title are stamped current,
so the report builds without stale-translation warnings.

If the checkout has a book definition (``source/report.toml``, docbuild.book),
OUT gets one too, listing the N chapters in order (with the introduction
chapter it names, copied, and the cover taken from the first generated
chapter); otherwise OUT has chapters only.

N = 10, 50, 100 are the sizes bench/ measures (issue 16). ``--force`` replaces
an OUT this script made before; any other non-empty OUT is refused.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ("kazakhstan", "kazakhstan-january")
#: Marks a folder this script made, so --force never deletes anything else.
MARKER = ".docbuild-bench-report"


def chapter_ids(count: int) -> list[tuple[str, str]]:
    """(new id, template) for each of ``count`` chapters: kazakhstan-001, kazakhstan-january-002, ..."""
    return [(f"{TEMPLATES[(n - 1) % len(TEMPLATES)]}-{n:03d}", TEMPLATES[(n - 1) % len(TEMPLATES)]) for n in range(1, count + 1)]


def _retitle(path: Path, number: int) -> None:
    """Append the chapter's number to the title in the front matter (the first ``title:`` line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "---", f"{path}: no front matter"
    end = lines.index("---", 1)
    for index in range(1, end):
        if lines[index].startswith("title:"):
            title = yaml.safe_load(lines[index])["title"]
            lines[index] = "title: " + json.dumps(f"{title} {number}", ensure_ascii=False)
            break
    else:
        raise SystemExit(f"{path}: no title in the front matter")
    path.write_text("\n".join(lines), encoding="utf-8")


def _copy_chapter(template: Path, target: Path, langs: list[str], number: int) -> list[str]:
    """Copy a template chapter's assets and the asked-for variants; retitle them; return the languages copied."""
    copied = []
    target.mkdir(parents=True)
    for path in sorted(template.rglob("*")):
        relative = path.relative_to(template)
        if path.is_dir():
            continue
        if path.suffix == ".md" and len(relative.parts) == 1:
            if path.stem not in langs:
                continue  # notes (README.md, glossaries) and languages not asked for
            copied.append(path.stem)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)
        if path.suffix == ".md" and len(relative.parts) == 1:
            _retitle(target / relative, number)
    return copied


def _stamp_translations(out: Path, chapter: str) -> None:
    """Mark the translations current: only the title changed, but it is part of what they translate."""
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))  # this checkout's docbuild, which matches its layouts
    from docbuild.project import Project
    from docbuild.reader import read_project
    from docbuild.stamp import stamp

    project = Project.at(out)
    (chapter_set,) = read_project(project, [chapter])
    for lang in sorted({item.lang for item in chapter_set.stale}):
        stamp(project, chapter, lang, [])


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _write_toml(path: Path, data: dict, comment: str) -> None:
    lines = [f"# {comment}"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in data.items() if not isinstance(value, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _book(source: Path, out: Path, ids: list[str], count: int) -> bool:
    """Write OUT/source/report.toml from the checkout's, for the generated chapters; False if there is none."""
    definition = source / "report.toml"
    if not definition.is_file():
        # TODO(issue 16): the checkout has no book definition (source/report.toml, docbuild.book):
        # write one listing `ids` when it exists.
        return False
    book = tomllib.loads(definition.read_text(encoding="utf-8"))
    book["id"] = f"world-report-{count}"
    book["chapters"] = ids
    introduction = book.get("introduction")
    if introduction:
        shutil.copytree(source / introduction, out / "source" / introduction)
    cover = book.get("cover")
    if cover:
        template, _, rest = cover.partition("/")
        first = next((chapter for chapter in ids if chapter.rsplit("-", 1)[0] == template), None)
        if first is None:
            shutil.copytree(source / template, out / "source" / template)  # keep the cover's chapter
        else:
            book["cover"] = f"{first}/{rest}"
    for table in (value for value in book.values() if isinstance(value, dict)):
        if "title" in table:
            table["title"] = f"{table['title']} ({count})"
    _write_toml(out / "source" / "report.toml", book,
                f"A synthetic report of {count} chapters, made by bench/make_report.py from {definition.relative_to(ROOT)}.")
    return True


def make_report(count: int, out: Path, langs: list[str] = ["en", "ru"], force: bool = False, project: Path = ROOT) -> Path:
    """Make the project in ``out``; return it. Refuses to write inside ``project``'s source/."""
    out = out.resolve()
    if count < 1:
        raise SystemExit("N must be 1 or more")
    for folder in (out, *out.parents):
        # Never into a project's source/ (this checkout's or any other's): OUT would become a chapter.
        if folder.name == "source" and (folder.parent / "layouts").is_dir():
            raise SystemExit(f"refusing to write into {out}: it is inside the project {folder.parent}; "
                             "choose a folder outside any project's source/")
    if out.exists() and any(out.iterdir()):
        if not (force and (out / MARKER).is_file()):
            raise SystemExit(f"{out} is not empty (--force replaces a folder this script made)")
        for name in ("source", "layouts", "fonts", MARKER):
            target = out / name
            shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        shutil.rmtree(out / ".docbuild-cache", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(f"made by bench/make_report.py {count}\n", encoding="utf-8")
    for name in ("layouts", "fonts"):
        shutil.copytree(project / name, out / name, symlinks=False)
    ids = []
    for number, (chapter, template) in enumerate(chapter_ids(count), 1):
        copied = _copy_chapter(project / "source" / template, out / "source" / chapter, langs, number)
        if not copied:
            raise SystemExit(f"source/{template} has none of the languages {', '.join(langs)}")
        if len(copied) > 1:
            _stamp_translations(out, chapter)
        ids.append(chapter)
    if not _book(project / "source", out, ids, count):
        print(f"note: {project / 'source' / 'report.toml'} does not exist, so {out} has no book definition",
              file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of chapters (10, 50, 100)")
    parser.add_argument("out", type=Path, help="folder to write the project into (outside source/)")
    parser.add_argument("--langs", default="en,ru", help="languages to copy (default en,ru)")
    parser.add_argument("--force", action="store_true", help="replace a folder this script made before")
    args = parser.parse_args()
    out = make_report(args.n, args.out, [lang for lang in args.langs.split(",") if lang], args.force)
    print(f"{out}: {args.n} chapters")


if __name__ == "__main__":
    main()
