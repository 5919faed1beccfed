"""report.html of a synthetic crash: one self-contained page (every plot embedded, the tables inline, nothing to
fetch), opened in headless Chromium as a person would, and screenshot."""

import base64
import csv
import io
import re
from dataclasses import replace

from PIL import Image, ImageStat
from report_fixtures import crash_result

from ballast.scenarios.model import AssetBlock
from ballast.scenarios.plots import PLOTS
from ballast.scenarios.report import write_report
from ballast.scenarios.report_data import crash_window, market_rows

#: The tables the page must show (their ids: `table-<section>`).
KEY_TABLES = (
    "table-outcome",
    "table-risk-over-time",
    "table-per-market",
    "table-per-product",
    "table-pool-exposure-by-product",
    "table-properties",
)
PAGE_STATE = """(() => {
  const images = [...document.images];
  return {
    title: document.title,
    images: images.map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
                               scheme: i.currentSrc.split(':')[0]})),
    tables: [...document.querySelectorAll('table')].map(t => ({id: t.id, rows: t.tBodies[0].rows.length})),
    verdict: document.getElementById('verdict').textContent,
    height: document.documentElement.scrollHeight,
    resources: performance.getEntriesByType('resource').map(r => r.name),
  };
})()"""


def test_report_html__synthetic_crash__self_contained(crash_report):
    page = (crash_report / "report.html").read_text()
    assert not re.search(r"(https?|wss?|ftp):|//[a-z0-9.-]+\.[a-z]", page, re.I), (
        "the page names an external URL"
    )
    assert "<script" not in page
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(sources) == len(PLOTS)
    for source, (name, _) in zip(sources, PLOTS, strict=True):
        assert (
            source == "data:image/png;base64," + base64.b64encode((crash_report / name).read_bytes()).decode()
        )
    for table in KEY_TABLES:
        assert f'<table id="{table}">' in page, table
    assert '<td class="l">WETH-PERP</td>' in page
    assert '<td class="l">options</td>' in page
    assert (
        '<td class="r">WETH path -40.0 % from block 2 (11:01:30 UTC) to block 12 (11:06:30 UTC)</td>' in page
    )


def test_report_html__same_result_twice__same_bytes(crash_report, tmp_path):
    again = write_report(crash_result(), tmp_path)
    for name in ("report.html", "summary.md", "metrics.csv"):
        assert (again / name).read_bytes() == (crash_report / name).read_bytes(), name


def test_metrics_csv__synthetic_crash__markets_products_and_cumulative_columns(crash_report):
    with (crash_report / "metrics.csv").open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert len(header) == len(set(header))
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", c) for c in header), header
    for column in (
        "timestamp_utc",
        "liquidatable_accounts",
        "accounts_health_below_1",
        "keeper_gas_used",
        "keeper_gas_budget",
        "bad_debt_cumulative_usd",
        "lp_loss_cumulative_usd",
        "pool_utilization_ratio",
        "market_weth_perp_open_interest_usd",
        "market_wbtc_perp_bad_debt_usd",
        "product_perps_liquidations",
        "product_options_bad_debt_usd",
    ):
        assert column in header, column
    last = dict(zip(header, rows[-1], strict=True))
    assert float(last["bad_debt_cumulative_usd"]) == 8_000.0 + 12_500.5 + 3_000.0
    assert float(last["lp_loss_cumulative_usd"]) == 3_000.0
    assert rows[0][header.index("timestamp_utc")] == "2026-12-07T11:00:30Z"


def test_report_html__headless_chromium__every_plot_decoded_tables_shown_no_request(
    crash_report, chromium, tmp_path
):
    chromium.open((crash_report / "report.html").as_uri())
    state = chromium.evaluate(PAGE_STATE)

    assert state["title"] == "Scenario crash, seed 1"
    assert state["verdict"] == "FAIL: 1 of 2 properties failed"
    assert [i["alt"] for i in state["images"]] == [caption for _, caption in PLOTS]
    for image in state["images"]:
        assert image["complete"] and image["width"] > 500 and image["height"] > 300, image
        assert image["scheme"] == "data", image
    tables = {t["id"]: t["rows"] for t in state["tables"]}
    for table in KEY_TABLES:
        assert tables.get(table, 0) > 0, (table, tables)
    assert tables["table-per-market"] == 2
    # Nothing left the page: no resource fetched, no request but the page itself (and its data: images).
    assert state["resources"] == []
    requests = [
        e["params"]["request"]["url"]
        for e in chromium.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests and all(url.startswith(("file://", "data:")) for url in requests), requests

    # The whole page, screenshot: a PNG as tall as the page, with the plots' many colours (not a blank page).
    metrics = chromium.send("Page.getLayoutMetrics")["cssContentSize"]
    shot = chromium.send(
        "Page.captureScreenshot",
        format="png",
        captureBeyondViewport=True,
        clip={"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1},
    )
    path = tmp_path / "report.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    assert 100_000 < path.stat().st_size < 40_000_000
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        assert image.format == "PNG"
        assert image.width >= 1_000 and image.height >= state["height"] - 1 >= 3_000, image.size
        rgb = image.convert("RGB")
        assert len(rgb.getcolors(maxcolors=1 << 20) or []) > 200
        assert max(ImageStat.Stat(rgb).stddev) > 20


def test_crash_window__calm_paths__none_and_the_risk_table_says_so(tmp_path):
    result = crash_result()
    calm = AssetBlock(
        2_000.0, 2_000.0, "Ok", 2_000.0 * 0.96
    )  # -4 % from the first block: under the threshold
    result.blocks = [
        replace(row, assets={"WETH": calm if row.block % 2 else AssetBlock(2_000.0, 2_000.0, "Ok", 2_000.0)})
        for row in result.blocks
    ]
    assert crash_window(result.blocks) is None
    summary = (write_report(result, tmp_path) / "summary.md").read_text()
    assert "| crash window | none (no path fell 5 % or more) |" in summary


def test_market_rows__bad_debt_without_a_perp__own_row_so_the_table_adds_up():
    blocks = crash_result().blocks
    blocks[7] = replace(blocks[7], deficits=blocks[7].deficits + 1_000.0)  # an account that never held a perp
    rows = {row[0]: row for row in market_rows(blocks)}
    assert rows["WETH-PERP"][3] == "$14,100.30"
    assert rows["WBTC-PERP"][3] == "$9,400.20"
    assert rows["no perp position"][3] == "$1,000.00"
