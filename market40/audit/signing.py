"""The department's Ed25519 key that signs snapshots, and the public keys that verify them.

Files in ``SNAPSHOT_KEY_DIR`` (default ``instance/snapshot-keys/``)::

    signing-key.pem      the private key (PKCS#8 PEM, mode 0600), unless
                         SNAPSHOT_SIGNING_KEY names another file the department holds
    <key_id>.pub.pem     the public key of every key that has ever signed

A key's id is the first 16 hex digits of the sha256 of its raw 32-byte public key.
For the demo the key is generated on first use (and logged); in production the
department puts its own key there. **Rotation** (``flask --app wsgi snapshots
rotate-key``) writes a new private key and keeps every old public key, so old
snapshots still verify; a retired key never signs again.

Trust comes from these files, never from the database: whoever can rewrite the
snapshots table cannot add a key of their own, and without the private key cannot
re-sign a rewritten snapshot.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app

log = logging.getLogger(__name__)
ALGORITHM = "Ed25519"
PRIVATE_NAME = "signing-key.pem"
PUBLIC_SUFFIX = ".pub.pem"


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    key: Ed25519PublicKey
    current: bool

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def raw_base64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    @property
    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def key_dir() -> Path:
    configured = current_app.config.get("SNAPSHOT_KEY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "snapshot-keys"


def _private_path() -> Path:
    configured = current_app.config.get("SNAPSHOT_SIGNING_KEY")
    return Path(configured) if configured else key_dir() / PRIVATE_NAME


def _write_new(path: Path, data: bytes, mode: int) -> bool:
    """Create ``path`` with ``data`` unless it exists (two workers: the first one wins).

    Written whole under a temporary name, then linked into place: ``link`` fails if the
    name exists and is atomic, so another thread or worker reading the key sees no file
    or the whole file, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _keep_public(public: Ed25519PublicKey) -> str:
    key_id = key_id_of(public)
    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    _write_new(key_dir() / f"{key_id}{PUBLIC_SUFFIX}", pem, 0o644)
    return key_id


def signing_key() -> tuple[Ed25519PrivateKey, str]:
    """The current private key and its id; generated under the key directory on first use."""
    path = _private_path()
    if not path.exists():
        if _write_new(path, _private_pem(Ed25519PrivateKey.generate()), 0o600):
            log.warning("generated a new snapshot signing key at %s: for a demo; the "
                        "department should hold its own key in production", path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 private key")
    return key, _keep_public(key.public_key())


def public_keys() -> dict[str, PublicKey]:
    """Every trusted public key by id: the current key's and every retired one's."""
    _, current_id = signing_key()
    keys: dict[str, PublicKey] = {}
    for path in sorted(key_dir().glob(f"*{PUBLIC_SUFFIX}")):
        try:
            public = serialization.load_pem_public_key(path.read_bytes())
        except ValueError:
            log.warning("%s is not a PEM public key: ignored", path)
            continue
        if isinstance(public, Ed25519PublicKey):
            key_id = key_id_of(public)
            keys[key_id] = PublicKey(key_id, public, key_id == current_id)
    return keys


def sign(data: bytes) -> tuple[str, str]:
    """``(key_id, base64 signature)`` of ``data`` by the current key."""
    key, key_id = signing_key()
    return key_id, base64.b64encode(key.sign(data)).decode("ascii")


def signature_problem(keys: dict[str, PublicKey], key_id: str | None,
                      signature: str | None, data: bytes) -> str | None:
    """None when ``signature`` is a valid signature of ``data`` by trusted key ``key_id``."""
    if not signature or not key_id:
        return "missing: the snapshot is not signed"
    public = keys.get(key_id)
    if public is None:
        return f"signed by key {key_id}, which is not one of the trusted keys"
    try:
        public.key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return f"does not verify with key {key_id}"
    return None


def rotate_key() -> tuple[str, str]:
    """Replace the signing key by a new one, keeping the old public key; ``(old, new)`` ids."""
    _, old_id = signing_key()
    path = _private_path()
    new = Ed25519PrivateKey.generate()
    new_id = _keep_public(new.public_key())
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    _write_new(temporary, _private_pem(new), 0o600)
    os.replace(temporary, path)
    log.warning("snapshot signing key rotated: %s retired, %s signs from now on", old_id, new_id)
    return old_id, new_id
