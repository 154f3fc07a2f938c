"""VietQR codes of vendors: payload/PNG/SVG, decoding any payload, verifying a stall."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from market40 import render, vietqr
from market40.api.schemas.base import BINARY
from market40.api.schemas.qr import (
    DecodeArgsSchema,
    DecodedSchema,
    PaymentCodeSchema,
    QRQueryArgsSchema,
    VerifyArgsSchema,
    VerifyFilesSchema,
    VerifyResultSchema,
)
from market40.auth import caller
from market40.codes import PaymentCode, VerifyResult, payment_code, verify_stall
from market40.codes.banks import bank_names
from market40.downloads import download
from market40.errors import InvalidInput
from market40.extensions import db
from market40.models import Vendor
from market40.registry.vendors import get_vendor

blp = Blueprint("qr", __name__, url_prefix="/api/v1", description="VietQR payment codes")

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def scoped_vendor(vendor_id: int) -> Vendor:
    """The vendor the URL or body names, if the caller's scope includes it."""
    vendor = get_vendor(db.session, vendor_id)
    caller(vendor=vendor)
    return vendor


def image_response(code: PaymentCode, args: dict[str, Any]) -> Response:
    """PNG or SVG bytes, cached by content: same payload and options, same ETag."""
    fmt = args["format"]
    if fmt == "png":
        body = render.qr_png(code.payload, box_size=args["size"], border=args["border"])
    else:
        body = render.qr_svg(code.payload, border=args["border"])
    headers = {}
    if code.warnings:
        headers["X-VietQR-Warnings"] = "; ".join(code.warnings).encode("ascii", "replace").decode()
    return download(body, IMAGE_TYPES[fmt], cached=True, headers=headers)


@blp.route("/vendors/<id:vendor_id>/qr")
class VendorQR(MethodView):
    @blp.arguments(QRQueryArgsSchema, location="query")
    @blp.response(200, PaymentCodeSchema)
    # One 200 in three representations: flask-smorest merges them by content type.
    @blp.alt_response(200, schema=BINARY, content_type="image/png")
    @blp.alt_response(200, schema=BINARY, content_type="image/svg+xml",
                      description="The payload (format=json) or the QR image (png, svg)")
    def get(self, args: dict[str, Any], vendor_id: int) -> PaymentCode | Response:
        """The vendor's VietQR code: static, or dynamic with ``amount`` (JSON, PNG or SVG)."""
        vendor = scoped_vendor(vendor_id)
        code = payment_code(vendor, amount=args.get("amount"), purpose=args.get("purpose"))
        if args["format"] == "json":
            return code
        return image_response(code, args)


@blp.route("/qr/decode")
class Decode(MethodView):
    @blp.arguments(DecodeArgsSchema)
    @blp.response(200, DecodedSchema)
    def post(self, args: dict[str, str]) -> vietqr.VietQRPayload:
        """Decode and validate any VietQR payload; 422 names the first problem."""
        try:
            # An empty bank list (``db upgrade`` without ``seed``) checks no BIN and names
            # no bank, as the CLI does, instead of refusing every code.
            return vietqr.decode(args["payload"].strip(), banks=bank_names() or None)
        except vietqr.VietQRError as error:
            raise InvalidInput(
                {"payload": [str(error)]}, message=f"{type(error).__name__}: {error}"
            ) from None


@blp.route("/qr/verify")
class Verify(MethodView):
    @blp.arguments(VerifyArgsSchema, location="json_or_form")
    @blp.arguments(VerifyFilesSchema, location="files")
    @blp.response(200, VerifyResultSchema)
    def post(self, args: dict[str, Any], files: dict[str, Any]) -> VerifyResult:
        """Does a printed card (photo, or its payload) still pay the vendor's account?"""
        vendor = scoped_vendor(args["vendor_id"])
        image = files.get("image")
        return verify_stall(vendor, payload=args.get("payload"),
                            image=image.read() if image is not None else None)
