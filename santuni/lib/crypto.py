"""Encryption of personal fields (Fernet, keys rotatable) and keyed hashes for matching them."""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"santuni:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        # Development and tests; `check --deploy` asks for FIELD_ENCRYPTION_KEYS in production.
        keys = (base64.urlsafe_b64encode(_derived("fields")).decode(),)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SANTUNI["FIELD_KEYS"]))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("a personal field cannot be decrypted with the configured keys") from None


def keyed_hash(text: str) -> str:
    """HMAC-SHA256 of the text: equal values match, and nobody without the key can test one."""
    key = settings.SANTUNI["HASH_KEY"].encode() or _derived("hash")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
