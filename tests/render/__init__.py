"""Tests for market40.render: QR images and stall-card PDFs, no app or database."""
