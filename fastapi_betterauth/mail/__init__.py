"""Email delivery: messages and their templates, senders (console, JSON-lines file, SMTP) and the background `Mailer`.

```python
mailer = Mailer(sender_from_settings(settings.email))
mailer.dispatch(build_message("verify-email", to=user.email, url=url, token=token, user_id=user.id,
                              user_name=user.name, app_name=settings.email.app_name, templates=Templates()))
```
"""

from ..addresses import InvalidRecipientError
from .mailer import Mailer
from .message import EmailMessage, EmailSender, EmailType
from .senders import ConsoleSender, FileSender, sender_from_settings
from .smtp import SmtpSender
from .templates import Template, TemplateContext, Templates, build_message

__all__ = [
    "ConsoleSender",
    "EmailMessage",
    "EmailSender",
    "EmailType",
    "FileSender",
    "InvalidRecipientError",
    "Mailer",
    "SmtpSender",
    "Template",
    "TemplateContext",
    "Templates",
    "build_message",
    "sender_from_settings",
]
