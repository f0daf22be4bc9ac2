"""What one very long paragraph costs in the PDF, against the same text in ordinary paragraphs (issue 13).

    python bench/paragraph.py [--sizes 50000] [--paragraph 800] [--uncapped]

For each size (characters of text, taken from the Kazakhstan chapter and
repeated), builds the PDF of a one-chapter project twice, each in a fresh
process with one job and no cache: once with the whole text as one
paragraph, once split into paragraphs of about ``--paragraph`` characters.
Prints the wall time and the peak memory (largest resident set of the
process and its workers). The reader refuses a paragraph over
``MAX_PARAGRAPH_CHARS`` (50,000); ``--uncapped`` lifts that limit in the
measured process only, to measure what it protects against (WeasyPrint's
line breaking of one paragraph is super-linear: issue 13 measured 1 MB at
32 s and 5 MB at 534 s and 1.06 GB). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

FRONT = (
    "---\ntitle: A Long Paragraph\nsubtitle: A benchmark\nauthor: Human Rights Watch\npublisher: Human Rights Watch\n"
    "date: 2022-01-13\ndescription: One very long paragraph, or the same text in paragraphs.\nkeywords: [benchmark]\n---\n\n"
)

#: Runs in a fresh interpreter: builds the PDF, prints seconds and peak memory (KiB) as JSON.
MEASURE = """
import json, resource, sys, time
import docbuild.reader.inlines as inlines
if sys.argv[3] == "uncapped":
    inlines.MAX_PARAGRAPH_CHARS = 10**12
from docbuild.build import build
start = time.perf_counter()
build(sys.argv[1], sys.argv[2], ["pdf"], ["en"], ["long"], jobs=1, cache=False)
seconds = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"seconds": seconds, "peak_kib": peak}))
"""


def sample_text(size: int) -> str:
    """``size`` characters of real chapter prose (the Kazakhstan chapter's paragraphs, repeated), ending in a full stop."""
    from docbuild.model import Paragraph, plain_text
    from docbuild.project import Project
    from docbuild.reader import read_chapter

    chapter, _ = read_chapter(ROOT / "source/kazakhstan/en.md", Project.at(ROOT))
    prose = " ".join(plain_text(block.content) for block in chapter.walk() if isinstance(block, Paragraph))
    prose = prose.replace('"', "").replace("\u201c", "").replace("\u201d", "").replace("[", "").replace("]", "")
    text = (prose + " ") * (size // len(prose) + 1)
    return text[: size - 1].rstrip() + "."


def project(root: Path, body: str) -> Path:
    for name in ("layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    (root / "source" / "long").mkdir(parents=True)
    (root / "source" / "long" / "en.md").write_text(FRONT + body, encoding="utf-8")
    return root


def measure(body: str, uncapped: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="docbuild-paragraph-") as temporary:
        root = project(Path(temporary) / "project", body)
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, str(root), str(Path(temporary) / "out"), "uncapped" if uncapped else "capped"],
            capture_output=True, text=True, cwd=ROOT,
        )
        if result.returncode:
            return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
        return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50000", help="characters, comma-separated (default 50000, the limit)")
    parser.add_argument("--paragraph", type=int, default=800, help="characters per paragraph when split (default 800)")
    parser.add_argument("--uncapped", action="store_true", help="lift the reader's paragraph limit for the measured builds")
    args = parser.parse_args()
    print("| characters | layout | paragraphs | seconds | peak memory |")
    print("|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        text = sample_text(size)
        pieces = textwrap.wrap(text, args.paragraph, break_long_words=False)
        cases = {
            "one paragraph": "{#long}\n" + text + "\n",
            "split": "\n\n".join(f"{{#p{n}}}\n{piece}" for n, piece in enumerate(pieces)) + "\n",
        }
        for name, body in cases.items():
            result = measure(body, args.uncapped)
            count = 1 if name == "one paragraph" else len(pieces)
            if "error" in result:
                print(f"| {size:,} | {name} | {count} | refused: {result['error']} | |")
            else:
                print(f"| {size:,} | {name} | {count} | {result['seconds']:.1f} | {result['peak_kib'] / 1024:.0f} MiB |")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
