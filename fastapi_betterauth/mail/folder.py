"""Email templates from a folder of Jinja2 files, per type and per locale (docs/concepts/email-templates.md).

For an email of type `reset-password` in locale `de-at`, the first folder of `de-at/`, `de/` and the folder itself
that has `reset-password.txt` gives the email: `reset-password.txt` (plain text, required),
`reset-password.subject.txt` (one line; required) and `reset-password.html` (optional: without it the HTML part is
the text, escaped). A type without files keeps the built-in wording. HTML files are autoescaped, text files not.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .locale import fallbacks

if TYPE_CHECKING:
    from jinja2 import Environment

    from .templates import TemplateContext


class FolderTemplates:
    """Renders the types the folder has files for; `render` answers None for the others."""

    def __init__(self, folder: str | Path) -> None:
        try:
            from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
        except ImportError as missing:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "email templates from a folder need Jinja2: pip install 'fastapi-betterauth-kit[templates]'"
            ) from missing
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ValueError(f"email.templates_dir {str(self.folder)!r} is not a folder")
        self._environment: Environment = Environment(
            loader=FileSystemLoader(str(self.folder)),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def _base(self, type: str, locale: str | None) -> str | None:
        for candidate in (*fallbacks(locale), ""):
            prefix = f"{candidate}/" if candidate else ""
            if (self.folder / f"{prefix}{type}.txt").is_file():
                return f"{prefix}{type}"
        return None

    def render(self, context: TemplateContext) -> tuple[str, str, str] | None:
        """`(subject, text, html)` from the folder, or None when it has no files for this type."""
        base = self._base(context.type, context.locale)
        if base is None:
            return None
        values: dict[str, Any] = {name: getattr(context, name) for name in context.__slots__}
        text = self._environment.get_template(f"{base}.txt").render(values)
        subject = self._environment.get_template(f"{base}.subject.txt").render(values)
        subject = " ".join(subject.split())  # one header line: no CR/LF can reach the message headers
        if (self.folder / f"{base}.html").is_file():
            html_body = self._environment.get_template(f"{base}.html").render(values)
        else:
            paragraphs = "\n".join(f"<p>{html.escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())
            head = '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"></head>\n'
            html_body = f"{head}<body>\n{paragraphs}\n</body>\n</html>\n"
        return subject, text, html_body
