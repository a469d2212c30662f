"""CRM credentials encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived with HKDF.

The key comes from ``CRM_SECRET_KEY`` when set (so the database and the web server's key can be kept
apart), else from ``SECRET_KEY``; keys in ``SECRET_KEY_FALLBACKS`` still decrypt, so rotating the server's
key does not lose the credentials. A secret is written once and read only to call the CRM: nothing
here returns it to a page.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"tracker.crm.secrets v1"


class SecretUnreadable(Exception):
    """The stored secret was encrypted under a key this server no longer has: it must be entered again."""


def _derive(material: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    if settings.CRM_SECRET_KEY:
        return MultiFernet([_derive(settings.CRM_SECRET_KEY)])
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_derive(key) for key in keys])


def secret_seal(plain: str) -> str:
    """``plain`` encrypted, as text for the database."""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def secret_open(sealed: str) -> str:
    """The secret sealed by :func:`secret_seal` ("" for none); raises SecretUnreadable under a lost key."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except InvalidToken as error:
        raise SecretUnreadable("The stored CRM secret cannot be read with this server's key.") from error
