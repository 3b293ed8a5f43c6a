"""`provider_email`: the one door through which an address a provider vouches for enters (docs/security.md O10).

Addresses are compared byte for byte with the users' (lower-cased when they were stored). A full Unicode
`str.lower()` folds look-alikes into ASCII (U+212A KELVIN SIGN becomes `k`), so a provider account named with
one would be taken for the user whose address it imitates. Here only ASCII letters are lower-cased, and an address
that any case mapping or NFKC normalisation would change is no address at all; nor is one with control characters
(docs/security.md L9), which would break the headers of mail sent to it.
"""

from __future__ import annotations

import string
import unicodedata

from ..addresses import has_control_characters

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def provider_email(value: object) -> str | None:
    """The address a provider gave, ready to compare: ASCII letters lower-cased. None when it gave none, or when the
    address holds a character that case mapping (`lower`, `casefold`, `upper`) or NFKC normalisation changes
    (U+212A KELVIN SIGN, fullwidth letters, `ß`...): such an address could match another user's after some folding.
    None too for an address with control characters."""
    if not value or has_control_characters(str(value)):
        return None
    address = str(value).translate(_ASCII_LOWER)
    if address.isascii():
        return address
    folded = {address.lower(), address.casefold(), address.upper().lower(), unicodedata.normalize("NFKC", address)}
    return address if folded == {address} else None
