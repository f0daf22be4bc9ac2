"""Writing a finished PDF: the same bytes for the same content."""

from __future__ import annotations

import io

import pikepdf


def deterministic_bytes(pdf: pikepdf.Pdf) -> bytes:
    """``pdf`` saved with an ``/ID`` computed from its content (never from the clock), streams
    compressed, objects in object streams, not linearised."""
    out = io.BytesIO()
    pdf.save(
        out,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        linearize=False,
    )
    return out.getvalue()
