"""GET /api/v1/speech and /api/v1/speech.wav (espeak-ng, cached)."""

from __future__ import annotations

import shutil

import pytest


def test_speech_text(client):
    response = client.get("/api/v1/speech?amount=25000")
    assert response.status_code == 200
    assert response.json == {"amount": 25_000, "text": "Đã nhận hai mươi lăm nghìn đồng"}


@pytest.mark.parametrize("query", ["", "?amount=0", "?amount=-5", "?amount=abc",
                                   "?amount=10000000000000", "?amount=5&x=1"])
def test_speech_bad_amount_is_a_422_naming_the_field(client, query):
    response = client.get("/api/v1/speech" + query)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "amount" in str(errors) or "x" in str(errors)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_speech_wav_is_a_cached_clip(client, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    first = client.get("/api/v1/speech.wav?amount=35000")
    assert first.status_code == 200, first.data[:200]
    assert first.mimetype == "audio/wav"
    assert first.data[:4] == b"RIFF" and first.data[8:12] == b"WAVE"
    assert len(first.data) > 10_000  # a second or more of speech, not an empty header
    assert (tmp_path / "speech" / "35000.wav").read_bytes() == first.data
    again = client.get("/api/v1/speech.wav?amount=35000",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/api/v1/speech.wav?amount=0").status_code == 422
