"""mkdocs hook: leave the pages' hidden test blocks (`<!-- test` ... `-->`, docs/README.md) out of the built site,
where they would otherwise ship as HTML comments."""

from __future__ import annotations

import re
from typing import Any

HIDDEN = re.compile(r"^<!-- test\n.*?^-->\n?", re.MULTILINE | re.DOTALL)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return HIDDEN.sub("", markdown)
