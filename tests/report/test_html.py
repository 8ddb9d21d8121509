"""The HTML report: every section, images inline, nothing from the network, words that match the numbers."""

import base64
import dataclasses
import re
from html.parser import HTMLParser

import pytest
from factories import small_scenario, small_scenario_data

import sim
from sim.errors import ResultsError
from sim.report import write_results
from sim.report.html import REPORT_FILE, headline, render_report, write_report
from sim.report.reader import read_results
from sim.world.ledger import METRICS

CLAIM = {"says": "The buffer satisfies more.", "view": "under-promise",
         "metric": "satisfaction_mean", "higher": {"strategy": "zappos_buffer"},
         "lower": {"strategy": "competitor_overnight"}}


class _Page(HTMLParser):
    """The parts of a page the tests look at: ids, images, links, tables and their rows."""

    def __init__(self, text):
        super().__init__()
        self.ids, self.images, self.links, self.tags = [], [], [], []
        self.tables = []  # list of rows; a row is a list of cell texts
        self._cell = None
        self._li = None
        self.items = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs)
        for name in ("src", "href"):
            if name in attrs and tag != "img":
                self.links.append(attrs[name])
        if tag == "table":
            self.tables.append({"class": attrs.get("class"), "rows": []})
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "li":
            self._li = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "li" and self._li is not None:
            self.items.append(" ".join("".join(self._li).split()))
            self._li = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._li is not None:
            self._li.append(data)

    def table(self, cls):
        return next(t["rows"] for t in self.tables if t["class"] == cls)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    run = sim.run(small_scenario(), replications=3, workers=1)
    return write_results(run, tmp_path_factory.mktemp("results") / "small")


@pytest.fixture(scope="module")
def results(folder):
    return read_results(folder)


@pytest.fixture(scope="module")
def page(folder):
    return _Page(write_report(folder).read_text(encoding="utf-8"))


def test_report_has_every_section(page):
    for section in ("verdict", "summary", "differences", "figures", "assumptions", "manifest"):
        assert section in page.ids
    assert "claim" not in page.ids


def test_report_images_are_inline_png_data(page):
    assert len(page.images) == 2
    for image in page.images:
        assert image["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(image["src"].split(",", 1)[1]).startswith(b"\x89PNG")
        assert image["alt"]


def test_report_loads_nothing_from_the_network(folder, page):
    text = (folder / REPORT_FILE).read_text(encoding="utf-8")
    assert all(link.startswith("#") for link in page.links)
    assert "script" not in page.tags and "link" not in page.tags
    assert not re.search(r"url\(|@import|https?://|//cdn", text)


def test_headline_says_the_direction_and_matches_the_differences_table(results, page):
    sentences = [item for item in page.items if "satisf" in item]
    pattern = re.compile(
        r"^(\w+) (satisfies more than|satisfies less than) (\w+): ([+-][\d.]+) \(95% CI "
        r"([+-][\d.]+) to ([+-][\d.]+)\) on the satisfaction scale, paired over (\d+) replications\.$"
    )
    table = results.differences.set_index(["strategy", "metric"])
    assert len(sentences) == 2
    for sentence in sentences:
        found = pattern.match(sentence)
        assert found, sentence
        strategy, verb, baseline, *numbers, n = found.groups()
        row = table.loc[(strategy, "satisfaction_mean")]
        assert baseline == row["baseline"] == "competitor_overnight"
        assert int(n) == row["n"] == 3
        assert (verb == "satisfies more than") == (row["ci_low"] > 0)
        decimals = len(numbers[0].split(".")[1]) if "." in numbers[0] else 0
        for shown, exact in zip(numbers, row[["mean_difference", "ci_low", "ci_high"]]):
            assert abs(float(shown) - exact) <= 0.5 * 10**-decimals + 1e-12


def test_headline_scales_shares_to_percentage_points(results):
    entries = {e["sentence"].split(":")[0]: e for e in headline(results)}
    kept = entries["zappos_buffer keeps more of its promises than competitor_overnight"]
    row = results.differences.set_index(["strategy", "metric"]).loc[
        ("zappos_buffer", "promise_kept")]
    shown = float(re.search(r": ([+-][\d.]+) percentage points", kept["sentence"]).group(1))
    assert shown == pytest.approx(100 * row["mean_difference"], abs=0.5)
    assert kept["direction"] == "more"


def test_headline_of_strategies_that_never_differ_says_so(results):
    words = [e for e in headline(results) if e["strategy"] == "zappos_buffer"
             and "profit per order" in e["sentence"]]
    assert words[0]["sentence"] == ("zappos_buffer and competitor_overnight do not differ on "
                                    "profit per order in any of the 3 replications.")
    assert words[0]["direction"] == "same"


def test_summary_table_has_a_row_per_metric_and_a_column_per_strategy(results, page):
    rows = page.table("summary")
    assert rows[0] == ["metric", "zappos_buffer", "competitor_overnight", "quantile_95_ground"]
    metrics = list(dict.fromkeys(results.summary["metric"]))
    assert len(rows) == 1 + len(metrics)
    for row in rows[1:]:
        metric = row[0].split()[0]
        assert row[0] == f"{metric} {METRICS[metric]}"
        assert all(re.match(r"^-?[\d,.]+ \[-?[\d,.]+, -?[\d,.]+\]$", cell) for cell in row[1:])


def test_differences_table_has_each_strategy_against_the_baseline(page):
    rows = page.table("differences")
    assert rows[0] == ["metric", "zappos_buffer − competitor_overnight",
                       "quantile_95_ground − competitor_overnight"]
    satisfaction = next(r for r in rows if r[0] == "satisfaction_mean")
    assert satisfaction[1].startswith("+")


def test_assumptions_show_the_scenario_settings_with_their_meaning(page):
    settings = {row[0]: row[1:] for t in page.tables if t["class"] == "settings"
                for row in t["rows"]}
    assert settings["orders_per_day"][0] == "300"
    assert settings["pick_minutes"][0].startswith("lognormal (median 3.5, sigma 0.5; mean ")
    assert settings["replications"][0] == "6 (this run: 3)"
    assert settings["baseline"][0] == "competitor_overnight"
    assert settings["loss_aversion"][1].startswith("How much more a late business day hurts")
    items = [t["rows"] for t in page.tables if t["class"] == "items"]
    header_rows = [rows[0] for rows in items]
    assert ["name", "nominal_days", "transit_days", "cost"] in header_rows
    assert ["start", "end", "pickers"] in header_rows
    strategies = next(rows for rows in items if rows[0][:3] == ["name", "kind", "settings"])
    assert strategies[1][:3] == ["zappos_buffer", "buffer",
                                 "min_days 4; max_days 5; service overnight"]


def test_manifest_section_shows_how_the_run_was_made(results, page):
    manifest = dict(row for row in page.table("manifest"))
    assert manifest["seed"] == "7"
    assert manifest["replications"] == "3"
    assert manifest["scenario_hash"] == results.manifest["scenario_hash"]
    versions = dict(row for row in page.table("versions")[1:])
    assert versions["numpy"] == results.manifest["versions"]["numpy"]


def test_report_of_a_run_in_memory_draws_its_figures_and_judges_its_claim():
    run = sim.run(small_scenario(claim=CLAIM), replications=2, workers=1)
    text = render_report(run)
    page = _Page(text)
    assert "claim" in page.ids
    assert len(page.images) == 2
    assert "<blockquote>The buffer satisfies more.</blockquote>" in text
    assert '<span class="tag supported">supported</span>' in text
    assert "paired over 2 replications: the claim is supported" in text


def test_report_escapes_the_scenario_text(results):
    tricky = results.scenario.model_copy(update={"description": "<script>alert(1)</script>"})
    text = render_report(dataclasses.replace(results, scenario=tricky), figures={})
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_write_report_writes_beside_the_results_by_default(folder):
    assert write_report(folder) == folder / REPORT_FILE
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_write_report_to_another_file_creates_its_folder(folder, tmp_path):
    out = write_report(folder, tmp_path / "deep" / "er" / "zappos.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_write_report_that_fails_leaves_nothing(folder, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template gone")

    monkeypatch.setattr("sim.report.html.render_report", broken)
    with pytest.raises(RuntimeError, match="template gone"):
        write_report(folder, tmp_path / "report.html")
    assert list(tmp_path.iterdir()) == []


def test_write_report_onto_a_folder_is_an_error(folder, tmp_path):
    with pytest.raises(ResultsError, match=r": is a folder \(name the report file\)"):
        write_report(folder, tmp_path)


def test_write_report_keeps_the_earlier_report_when_writing_fails(folder, tmp_path, monkeypatch):
    out = tmp_path / "report.html"
    out.write_text("earlier")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sim.report.html.os.replace", full_disk)
    with pytest.raises(ResultsError, match=r"report.html: cannot write the report: No space left"):
        write_report(folder, out)
    assert out.read_text() == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_report_of_a_run_with_one_strategy_has_no_verdict_but_its_means(tmp_path):
    data = small_scenario_data()
    data["strategies"] = data["strategies"][:1]
    del data["baseline"]
    run = sim.run(sim.parse_scenario(data), replications=2, workers=1)
    folder = write_results(run, tmp_path / "one")
    assert read_results(folder).differences.empty
    text = write_report(folder).read_text(encoding="utf-8")
    assert "One strategy only (zappos_buffer): nothing to compare it with." in text
    assert len(_Page(text).table("summary")) > 1
    assert "One strategy only (zappos_buffer)" in render_report(run, figures={})


def test_headline_reads_a_run_in_stars_only_when_it_measured_them(results):
    stars = {"scale": 0.6, "thresholds": [-3.0, -2.0, -1.0, 0.5], "source": "a test"}
    in_stars = sim.run(small_scenario(satisfaction={"stars": stars}), replications=3, workers=1)
    table = in_stars.differences.set_index(["strategy", "metric"])

    rated = [e for e in headline(in_stars) if "stars (95% CI" in e["sentence"]]

    assert not [e for e in headline(results) if "stars" in e["sentence"]]
    assert len(rated) == 2
    for entry in rated:
        row = table.loc[(entry["strategy"], "expected_stars")]
        verb = {"more": "is rated higher than", "less": "is rated lower than"}.get(
            entry["direction"], "cannot be told apart on expected stars")
        assert verb in entry["sentence"]
        assert (entry["direction"] == "more") == (row["ci_low"] > 0)
