"""CRM credentials encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived with HKDF.

The current key comes from ``CRM_SECRET_KEY`` when set (so the database and the web server's key can be
kept apart), else from ``SECRET_KEY``. Earlier keys only decrypt: those in ``CRM_SECRET_KEY_FALLBACKS``,
then ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` (a server that starts setting ``CRM_SECRET_KEY`` keeps
reading what it sealed before). A secret read under an earlier key is sealed again under the current one
(:func:`secret_read`), so once every connection has been used the old key can go. A secret is written
once and read only to call the CRM: nothing here returns it to a page.
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


def _keys() -> list[str]:
    """The current key first, then the earlier ones that still decrypt, each once."""
    keys = [
        settings.CRM_SECRET_KEY or settings.SECRET_KEY,
        *settings.CRM_SECRET_KEY_FALLBACKS,
        settings.SECRET_KEY,
        *settings.SECRET_KEY_FALLBACKS,
    ]
    return list(dict.fromkeys(key for key in keys if key))


def _fernet() -> MultiFernet:
    """Encrypts under the first key, decrypts under any."""
    return MultiFernet([_derive(key) for key in _keys()])


def secret_seal(plain: str) -> str:
    """``plain`` encrypted under the current key, as text for the database."""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def secret_open(sealed: str) -> str:
    """The secret sealed by :func:`secret_seal` ("" for none); raises SecretUnreadable under a lost key."""
    return secret_read(sealed)[0]


def secret_read(sealed: str) -> tuple[str, str | None]:
    """The secret, and the same sealed again under the current key when an earlier key opened it (None
    when the current key did: nothing to store). Raises SecretUnreadable when no key opens it."""
    if not sealed:
        return "", None
    token = sealed.encode("ascii")
    keys = _keys()
    try:
        return _derive(keys[0]).decrypt(token).decode(), None
    except InvalidToken:
        pass
    fernet = MultiFernet([_derive(key) for key in keys])
    try:
        return fernet.decrypt(token).decode(), fernet.rotate(token).decode("ascii")
    except InvalidToken as error:
        raise SecretUnreadable("The stored CRM secret cannot be read with this server's keys.") from error
