"""Docs and comments cite files inside the repository only, and every relative link in the docs resolves."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|DESIGN\.md|perf-anchors|vn-data-formats|integration-shapes|style-anchors")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in out.stdout.splitlines() if (ROOT / line).is_file()]


def test_nothing_cites_files_outside_the_repository() -> None:
    me = Path(__file__).resolve()
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _tracked()
        if path != me and path.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".xsd", ".wsdl", ".html"}
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not hits, "\n".join(hits)


def test_relative_links_in_docs_resolve() -> None:
    broken = [
        f"{doc.relative_to(ROOT)} → {target}"
        for doc in _tracked("*.md")
        for target in LINK.findall(doc.read_text(encoding="utf-8"))
        if "://" not in target and not target.startswith("mailto:") and not (doc.parent / target).exists()
    ]
    assert not broken, "\n".join(broken)
