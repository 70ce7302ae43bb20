"""Field encryption and keyed lookup hashes for sensitive values (ID number, phone, passport number).

One interface, ``FieldCipher``, so a certified cryptographic module (密码模块) can replace the default
software implementation without touching the models:

- ``encrypt(text) -> str`` / ``decrypt(token) -> str``: SM4-GCM (GB/T 32907-2016 block cipher in GCM mode,
  via ``cryptography``) with a random 96-bit nonce; the token is ``v1:`` + base64(nonce ‖ ciphertext ‖ tag).
- ``lookup_hash(text) -> str``: HMAC-SM3 (GB/T 32905-2016) hex digest, for uniqueness and exact lookup
  without decrypting.

Key material: 32 bytes from ``settings.ZUGONG_FIELD_KEY`` (64 hex chars) — the first 16 bytes are the SM4
key, the last 16 bytes the HMAC key. Keys come from the environment or a key file, never the database.
"""

from __future__ import annotations

import base64
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "v1:"  # noqa: S105  # nosec B105 — format tag, not a secret


class DecryptionError(ValueError):
    """The token is damaged or was encrypted with another key."""


class FieldCipher:
    """SM4-GCM encryption + HMAC-SM3 lookup hash with one 32-byte key."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ImproperlyConfigured("字段加密密钥必须为32字节（64位十六进制）。")
        self._enc_key = key[:16]
        self._mac_key = key[16:]
        # A keyed HMAC state to copy: ``copy()`` skips the key schedule (≈ 2× faster per hash).
        self._mac_template = hmac.HMAC(self._mac_key, hashes.SM3())

    def encrypt(self, text: str) -> str:
        """Encrypt ``text`` (UTF-8) → token string; ``""`` stays ``""``."""
        if not text:
            return ""
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.SM4(self._enc_key), modes.GCM(nonce)).encryptor()
        body = encryptor.update(text.encode("utf-8")) + encryptor.finalize()
        return TOKEN_PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token from ``encrypt``; raises ``DecryptionError`` if it was tampered with."""
        if not token:
            return ""
        if not token.startswith(TOKEN_PREFIX):
            raise DecryptionError("unknown token format")
        raw = base64.b64decode(token[len(TOKEN_PREFIX):])
        nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
        decryptor = Cipher(algorithms.SM4(self._enc_key), modes.GCM(nonce, tag)).decryptor()
        try:
            return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication")

    def lookup_hash(self, text: str) -> str:
        """HMAC-SM3 hex digest of ``text`` (64 hex chars); ``""`` for empty input."""
        if not text:
            return ""
        mac = self._mac_template.copy()
        mac.update(text.encode("utf-8"))
        return mac.finalize().hex()


def configured_key() -> bytes:
    """The key bytes of ``settings.ZUGONG_FIELD_KEY``; raises ``ImproperlyConfigured`` if it is not
    hexadecimal (``FieldCipher`` checks the length). For ``cipher()`` and for worker processes that
    build their own ``FieldCipher``."""
    try:
        return bytes.fromhex(settings.ZUGONG_FIELD_KEY)
    except ValueError:
        raise ImproperlyConfigured("ZUGONG_FIELD_KEY 必须是64位十六进制字符串。")


@functools.cache
def cipher() -> FieldCipher:
    """The configured ``FieldCipher`` (built once per process from settings)."""
    return FieldCipher(configured_key())
