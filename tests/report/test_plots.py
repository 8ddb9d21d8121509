import pytest
from factories import small_scenario
from matplotlib.figure import Figure

import sim
from sim.report.plots import KEY_METRICS, plot_comparison, plot_timeseries


@pytest.fixture(scope="module", params=[None, {}], ids=["memoryless", "customers"])
def results(request):
    return sim.run(small_scenario(customers=request.param), replications=2, workers=1)


def test_plot_comparison_draws_every_strategy_and_the_key_metrics(results):
    fig = sim.plot_comparison(results)
    assert isinstance(fig, Figure)
    distribution, *bars = fig.axes
    names = [s.name for s in results.scenario.strategies]
    assert [t.get_text() for t in distribution.get_legend().get_texts()] == names
    assert [ax.get_title() for ax in bars] == list(KEY_METRICS.values())[:4]
    assert all(len(ax.patches) == len(names) for ax in bars)


def test_plot_timeseries_shows_the_customer_base_only_when_it_exists(results):
    fig = sim.plot_timeseries(results)
    titles = [ax.get_title() for ax in fig.axes]
    has_customers = results.scenario.customers is not None
    assert ("trust in the promise (active customers)" in titles) == has_customers
    assert ("promise kept (share)" in titles) != has_customers
    assert all(ax.lines for ax in fig.axes), "every panel has a line per strategy"


def test_plot_comparison_draws_on_the_figure_it_is_given_and_returns_it(results):
    fig = Figure()
    assert plot_comparison(results, fig=fig) is fig
    assert fig.axes



def test_plot_timeseries_draws_on_the_figure_it_is_given_and_returns_it(results):
    fig = Figure()
    assert plot_timeseries(results, fig=fig) is fig
    assert fig.axes
