"""Reading the code blocks of the documentation pages, and running them (docs/README.md: "Snippets are tests").

- Every ```python block runs, in page order, in one namespace per page (like one interpreter session), with
  top-level `await` allowed. `<!-- no-test -->` (optionally `<!-- no-test: why -->`) on the line right before the
  fence skips it.
- A block whose first line is `# some/path.py` is also written to that file, under the page's working directory
  (which is on `sys.path`), so later blocks can import it.
- `<!-- test` ... `-->` holds Python that runs at that place in the page, unseen on the site: the checks that make
  a snippet's claim a test, or stand-ins for what a snippet only names.
- A ```bash block runs when each of its commands is an assignment, an `export`, or `python -m fastapi_betterauth`
  with a command that is safe here (`SAFE_COMMANDS`); the variables it sets stay set for the rest of the page, and
  the `BETTER_AUTH_*` ones must be settings that exist and validate. Other shell blocks (curl, pip, uvicorn) are
  shown, not run.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SAFE_COMMANDS = {"migrate", "secret", "providers", "--help"}
_FENCE = re.compile(r"^(\s*)```(\w*)")
_FILE_LINE = re.compile(r"^# ([\w./-]+\.py)$")
_ASSIGNMENT = re.compile(r"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Block:
    """One code block of a page: its language, code, the line it starts on, and whether it is skipped or hidden."""

    page: str
    line: int
    lang: str
    code: str
    skipped: bool = False
    hidden: bool = False

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"

    @property
    def file(self) -> str | None:
        first = self.code.split("\n", 1)[0].strip()
        match = _FILE_LINE.match(first)
        return match.group(1) if match else None


def pages() -> list[str]:
    """The site's pages, relative to docs/ (the contributors' README and the hooks are not pages)."""
    found = sorted(str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md"))
    return [page for page in found if page != "README.md" and not page.startswith("hooks/")]


def blocks(page: str, text: str | None = None) -> list[Block]:
    """The code blocks of `page` (docs/ relative), hidden test blocks included, in order."""
    lines = (text if text is not None else (DOCS / page).read_text()).splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line == "<!-- test":  # at the start of a line, as the site hook (docs/hooks/hidden_tests.py) expects
            end = lines.index("-->", index)
            found.append(Block(page, index + 1, "python", "\n".join(lines[index + 1 : end]) + "\n", hidden=True))
            index = end + 1
            continue
        match = _FENCE.match(line)
        if not match:
            index += 1
            continue
        indent, lang = match.group(1), match.group(2)
        skipped = index > 0 and lines[index - 1].strip().startswith("<!-- no-test")
        body: list[str] = []
        index += 1
        while not lines[index].strip().startswith("```"):
            body.append(lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index])
            index += 1
        found.append(Block(page, index - len(body), lang, "\n".join(body) + "\n", skipped=skipped))
        index += 1
    return found


async def run_python(block: Block, namespace: dict[str, Any], workdir: Path) -> None:
    """Run one Python block in the page's namespace (top-level `await` allowed); write it out first if it names a
    file."""
    if block.file:
        path = workdir / block.file
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(workdir).parents:
            if str(parent) != ".":
                (workdir / parent / "__init__.py").touch()
        path.write_text(block.code)
    code = compile(block.code, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        await result


def shell_commands(code: str) -> list[str]:
    """The commands of a shell block: comments dropped, `\\` continuations and multi-line quotes joined."""
    commands: list[str] = []
    pending = ""
    for raw in code.replace("\\\n", " ").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        commands.append(pending)
        pending = ""
    assert not pending, f"unbalanced quotes in a shell block: {pending}"
    return commands


def runnable_shell(block: Block) -> bool:
    """Whether a shell block is safe to run here: assignments, `export`s and `python -m fastapi_betterauth <safe>`."""
    if block.lang not in ("bash", "sh", "shell") or block.skipped:
        return False
    commands = shell_commands(block.code)
    if not commands:
        return False
    for command in commands:
        if _ASSIGNMENT.match(command):
            continue
        words = shlex.split(command, comments=True)
        if words[:3] == ["python", "-m", "fastapi_betterauth"] and len(words) > 3 and words[3] in SAFE_COMMANDS:
            continue
        return False
    return True


def run_shell(block: Block, workdir: Path) -> dict[str, str]:
    """Run a shell block with bash in `workdir` (`python` being this interpreter) and answer the environment
    variables it set or changed."""
    dump = f"{shlex.quote(sys.executable)} -c 'import json, os; print(json.dumps(dict(os.environ)))'"
    before = dict(os.environ)
    env = {**before, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{before.get('PATH', '')}"}
    script = f"set -euo pipefail -a\n{block.code}\necho '---docs-env---'\n{dump}\n"
    done = subprocess.run(
        ["bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"{block.where}: the shell block failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    after: dict[str, str] = json.loads(done.stdout.split("---docs-env---\n", 1)[1])
    return {name: value for name, value in after.items() if before.get(name) != value and name not in ("PATH", "_")}
