"""Audit snapshots and their verification."""

from __future__ import annotations

import json

import marshmallow as ma
from marshmallow.validate import OneOf

from market40.api.schemas.base import BaseSchema, UTCDateTimeField
from market40.reports.labels import LANGUAGES


class SnapshotInSchema(BaseSchema):
    ruleset = ma.fields.String(required=True, metadata={"description": "e.g. tn-2022"})
    as_of = ma.fields.Date(metadata={"description": "local date (default: today)"})


class SnapshotQueryArgsSchema(BaseSchema):
    ruleset = ma.fields.String(metadata={"description": "only snapshots of this ruleset"})


class SnapshotFormatArgsSchema(BaseSchema):
    format = ma.fields.String(
        load_default="json",
        validate=OneOf(("json", "canonical", "csv", "pdf")),
        metadata={
            "description": "json (metadata and parsed body), canonical (the exact hashed "
            "bytes), csv or pdf"
        },
    )
    lang = ma.fields.String(load_default="en", validate=OneOf(LANGUAGES))


class SnapshotSchema(BaseSchema):
    id = ma.fields.Integer()
    ruleset = ma.fields.String()
    ruleset_sha256 = ma.fields.String()
    as_of = ma.fields.Date()
    created_at = UTCDateTimeField()
    created_by = ma.fields.Function(lambda s: s.author.name if s.author else None)
    sha256 = ma.fields.String()
    prev_sha256 = ma.fields.String(allow_none=True)
    certified = ma.fields.Integer()
    key_id = ma.fields.String(allow_none=True,
                              metadata={"description": "id of the Ed25519 key that signed it"})
    signature = ma.fields.String(allow_none=True,
                                 metadata={"description": "Ed25519 signature of the canonical "
                                           "body, base64"})


class SnapshotDetailSchema(SnapshotSchema):
    body = ma.fields.Function(
        lambda s: json.loads(s.body),
        metadata={"description": "the frozen certification (canonical JSON, parsed)"},
    )


class ChangeSchema(BaseSchema):
    market = ma.fields.String()
    metric = ma.fields.String()
    then = ma.fields.Raw(allow_none=True)
    now = ma.fields.Raw(allow_none=True)


class ProblemSchema(BaseSchema):
    snapshot = ma.fields.Integer()
    field = ma.fields.String(metadata={"description": "the column or part concerned"})
    message = ma.fields.String()


class VerificationSchema(BaseSchema):
    id = ma.fields.Integer(attribute="snapshot_id")
    sha256 = ma.fields.String()
    hash_ok = ma.fields.Boolean()
    chain_ok = ma.fields.Boolean()
    signature_ok = ma.fields.Boolean()
    key_id = ma.fields.String(allow_none=True)
    problems = ma.fields.List(ma.fields.String(),
                              metadata={"description": "each problem as a sentence"})
    details = ma.fields.List(ma.fields.Nested(ProblemSchema),
                             metadata={"description": "each problem with its snapshot and field"})
    changes = ma.fields.List(ma.fields.Nested(ChangeSchema))
    ruleset_sha256_now = ma.fields.String(allow_none=True)


class PublicKeyEntrySchema(BaseSchema):
    key_id = ma.fields.String()
    algorithm = ma.fields.Constant("Ed25519")
    current = ma.fields.Boolean()
    public_key = ma.fields.String(attribute="raw_base64",
                                  metadata={"description": "the raw 32-byte key, base64"})
    pem = ma.fields.String(metadata={"description": "SubjectPublicKeyInfo PEM"})


class PublicKeySchema(PublicKeyEntrySchema):
    keys = ma.fields.List(ma.fields.Nested(PublicKeyEntrySchema),
                          metadata={"description": "every trusted key, retired ones too"})
    chain_head = ma.fields.Dict(allow_none=True,
                                metadata={"description": "id and sha256 of the newest snapshot"})
