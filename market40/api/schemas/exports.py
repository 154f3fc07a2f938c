"""Export jobs: the filters of a transaction export and what a client polls."""

from __future__ import annotations

import marshmallow as ma

from market40.api.schemas.base import BaseSchema, UTCDateTimeField
from market40.api.schemas.transactions import TransactionQueryArgsSchema


class TransactionExportInSchema(TransactionQueryArgsSchema):
    """The filters of ``GET /api/v1/transactions?format=csv``, as a JSON body."""

    class Meta(BaseSchema.Meta):
        exclude = ("format",)


class ExportJobSchema(BaseSchema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String(metadata={
        "description": "queued, running, done or failed (a job whose worker stopped is "
                       "reported failed)"})
    filters = ma.fields.Dict(metadata={"description": "The filters, as sent"})
    rows = ma.fields.Integer(metadata={
        "description": "Data rows written (so far, while running; the header not counted)"})
    size = ma.fields.Integer(allow_none=True, metadata={"description": "File size in bytes"})
    sha256 = ma.fields.String(allow_none=True, metadata={
        "description": "SHA-256 of the whole file, hex (also X-Export-SHA256 on the file)"})
    error = ma.fields.String(allow_none=True)
    created_at = UTCDateTimeField()
    started_at = UTCDateTimeField(allow_none=True)
    finished_at = UTCDateTimeField(allow_none=True)
    status_url = ma.fields.String()
    file_url = ma.fields.String(allow_none=True, metadata={
        "description": "Where the finished file is served (null until done)"})
