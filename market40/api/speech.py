"""The announcement of an amount, as text and as a spoken WAV clip (public)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import marshmallow as ma
from flask import current_app, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.base import BINARY
from market40.api.schemas.live import SpeechQueryArgsSchema, SpeechSchema
from market40.live.speech import speech_wav
from market40.live.words import announcement

blp = Blueprint("speech", __name__, url_prefix="/api/v1",
                description="What a soundbox says for a credit, in Vietnamese words")


@blp.route("/speech")
class Speech(MethodView):
    @blp.arguments(SpeechQueryArgsSchema, location="query", unknown=ma.RAISE)
    @blp.response(200, SpeechSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The sentence announcing a credit of ``amount`` đồng."""
        return {"amount": args["amount"], "text": announcement(args["amount"])}


@blp.route("/speech.wav")
class SpeechWav(MethodView):
    @blp.arguments(SpeechQueryArgsSchema, location="query", unknown=ma.RAISE)
    @blp.response(200, BINARY, content_type="audio/wav")
    @blp.alt_response(503, description="espeak-ng is not installed on the server")
    def get(self, args: dict[str, Any]) -> Any:
        """The sentence as a WAV clip (espeak-ng, northern Vietnamese voice), cached."""
        path = speech_wav(args["amount"], Path(current_app.instance_path) / "speech")
        response = send_file(path, mimetype="audio/wav", max_age=86400, conditional=True,
                             etag=True)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response.make_conditional(request)
