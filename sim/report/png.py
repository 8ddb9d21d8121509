"""Figures as PNG bytes, as the results folders hold them: equal figures give equal bytes.

:func:`png_bytes` writes what ``fig.savefig(..., dpi=110, metadata=PNG_METADATA)`` writes,
drawing the figure once: ``savefig`` first draws a figure with a layout engine without
rendering (to settle the layout) and then draws it again; an Agg canvas at the PNG's own
resolution settles the layout in the same draw that renders it.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["PNG_DPI", "PNG_METADATA", "png_bytes"]

#: Resolution of every figure in a results folder.
PNG_DPI = 110

#: PNG metadata without software version or dates, so equal inputs give equal bytes.
PNG_METADATA = {"Software": None}


def png_bytes(fig: Figure) -> bytes:
    """``fig`` as a PNG at :data:`PNG_DPI`, without software or date metadata.

    ``fig`` keeps its own resolution and canvas afterwards.
    """
    canvas, dpi = fig.canvas, fig.dpi
    buffer = io.BytesIO()
    try:
        fig.dpi = PNG_DPI
        FigureCanvasAgg(fig).print_png(buffer, metadata=PNG_METADATA)
    finally:
        fig.dpi = dpi
        fig.set_canvas(canvas)
    return buffer.getvalue()
