import io

import pytest
from factories import small_scenario
from matplotlib.figure import Figure

import sim
from sim.report.plots import plot_comparison, plot_timeseries
from sim.report.png import PNG_DPI, PNG_METADATA, png_bytes


@pytest.fixture(scope="module", params=[None, {}], ids=["memoryless", "customers"])
def results(request):
    return sim.run(small_scenario(customers=request.param), replications=2, workers=1)


def _saved(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


@pytest.mark.parametrize("draw", [plot_comparison, plot_timeseries])
def test_png_bytes_are_the_bytes_savefig_writes(results, draw):
    assert png_bytes(draw(results)) == _saved(draw(results))


def test_png_bytes_leave_the_figure_as_it_was(results):
    fig = plot_comparison(results)
    canvas, dpi = fig.canvas, fig.dpi
    png_bytes(fig)
    assert fig.canvas is canvas
    assert fig.dpi == dpi


def test_png_bytes_have_no_software_or_date(results):
    png = png_bytes(plot_comparison(results))
    assert png.startswith(b"\x89PNG")
    assert b"Software" not in png
    assert b"Creation Time" not in png
