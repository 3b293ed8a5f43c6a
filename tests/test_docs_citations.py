"""The code cites only documents in this repository: every `docs/<file>.md` citation in the package, the tests, the
other Python trees and the Markdown files names a file that exists, with a heading anchor or checklist id that exists
in it; checklist ids named alone in comments and docstrings exist in docs/security.md; and nothing cites the
planning documents that live outside the repository. The vendored conformance kit is third-party and not scanned."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PYTHON_TREES = ("fastapi_betterauth", "tests", "example_app", "migrations", "bench")
SKIPPED_DIRS = {".venv", "node_modules", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}

#: `docs/x.md`, then optionally `#anchor` (more anchors as `, #other`) or checklist ids (`S3`, `T1-T3, T8`).
CITATION = re.compile(
    r"docs/(?P<file>[\w-]+(?:/[\w-]+)*\.md)"
    r"(?:(?P<anchors>#[\w-]+(?:,\s*#[\w-]+)*)|(?P<ids>(?:(?:,\s*|\s+)[A-Z]\d{1,2}(?:-[A-Z]?\d{1,2})?\b)+))?"
)
#: A checklist id as tests name them: a group letter and the item number.
CHECKLIST_ID = re.compile(r"\b([PLSCTOKMW])([1-9]\d?)(?:-(?:[PLSCTOKMW])?([1-9]\d?))?\b")
#: Citations of the planning documents that are not part of this repository.
FOREIGN = re.compile(r"\b(?:SPEC|DESIGN)\s*(?:§|appendix)|SECURITY\.md|\bSECURITY\s+[A-Z]\d|\.\./shared/")
MARKDOWN_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _files(pattern: str) -> list[Path]:
    found: list[Path] = []
    for path in ROOT.rglob(pattern):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts) or relative.parts[:2] == ("conformance", "kit"):
            continue
        found.append(path)
    return sorted(found)


def _python_files() -> list[Path]:
    trees = [path for path in _files("*.py") if path.relative_to(ROOT).parts[0] in PYTHON_TREES]
    return [*trees, ROOT / "conformance" / "run.py"]


def _scanned() -> list[Path]:
    """Everything that may cite, except this file (whose patterns and examples would match themselves)."""
    return [path for path in (*_python_files(), *_files("*.md")) if path != Path(__file__).resolve()]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@cache
def _anchors(markdown: Path) -> set[str]:
    text = markdown.read_text(encoding="utf-8")
    anchors = {_slug(match) for match in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, flags=re.MULTILINE)}
    anchors |= set(re.findall(r"""<a\s+id=["']([\w-]+)["']""", text))
    anchors |= set(re.findall(r"\{ *#([\w-]+) *\}$", text, flags=re.MULTILINE))  # a heading's `{ #id }` (attr_list)
    return anchors


def _expand(ids: str) -> list[str]:
    """`T1-T3, T8` -> T1, T2, T3, T8."""
    expanded: list[str] = []
    for group, first, last in CHECKLIST_ID.findall(ids):
        end = int(last) if last else int(first)
        expanded += [f"{group}{number}" for number in range(int(first), end + 1)]
    return expanded


@cache
def _security_ids() -> set[str]:
    return {anchor.upper() for anchor in _anchors(DOCS / "security.md") if re.fullmatch(r"[plsctokmw]\d{1,2}", anchor)}


def _prose(path: Path) -> list[tuple[int, str]]:
    """The comments and docstrings of a Python file, with their first line numbers."""
    source = path.read_text(encoding="utf-8")
    pieces = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring is not None:
                pieces.append((node.body[0].lineno, docstring))
    return pieces


def test_docs_index_and_readme_pointer_exist() -> None:
    for name in ("README.md", "design.md", "better-auth.md", "security.md"):
        assert (DOCS / name).is_file(), f"docs/{name} is missing"
    assert "docs/README.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_citation_names_an_existing_file_and_anchor() -> None:
    security_ids = _security_ids()
    problems: list[str] = []
    count = 0
    for path in _scanned():
        text = path.read_text(encoding="utf-8")
        for match in CITATION.finditer(text):
            count += 1
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            target = ROOT / "docs" / match["file"]
            if not target.is_file():
                problems.append(f"{where}: docs/{match['file']} does not exist")
                continue
            if match["anchors"]:
                known = _anchors(target)
                problems += [
                    f"{where}: docs/{match['file']} has no heading #{anchor}"
                    for anchor in re.findall(r"#([\w-]+)", match["anchors"])
                    if anchor not in known
                ]
            if match["ids"]:
                if match["file"] != "security.md":
                    problems.append(f"{where}: checklist ids cited from docs/{match['file']}")
                problems += [
                    f"{where}: docs/security.md has no item {item}"
                    for item in _expand(match["ids"])
                    if item not in security_ids
                ]
    assert count > 100, f"only {count} citations found: is the scan looking in the right places?"
    assert not problems, "\n".join(problems)


def test_checklist_ids_named_alone_exist() -> None:
    security_ids = _security_ids()
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {item} is not an item of docs/security.md"
        for path in _python_files()
        for line, text in _prose(path)
        for item in _expand(text)
        if item not in security_ids
    ]
    assert not problems, "\n".join(problems)


def test_links_inside_docs_resolve() -> None:
    problems: list[str] = []
    for page in sorted(DOCS.glob("*.md")):
        for match in MARKDOWN_LINK.finditer(page.read_text(encoding="utf-8")):
            target = match["target"]
            if "://" in target:
                continue
            file_part, _, anchor = target.partition("#")
            if file_part == "settings.md":  # generated at build time by docs/hooks/settings_reference.py
                continue
            linked = (page.parent / file_part).resolve() if file_part else page
            if not linked.exists():
                problems.append(f"{page.name}: {target} does not exist")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                problems.append(f"{page.name}: {target} names no heading there")
    assert not problems, "\n".join(problems)


def test_no_citations_of_documents_outside_the_repository() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _scanned()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if FOREIGN.search(line)
    ]
    assert not hits, "\n".join(hits)
