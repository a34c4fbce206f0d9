"""bot.report.context: the presentation inputs of a report, and the only links a report builds."""

from __future__ import annotations

import pytest

from bot.report import MARKER, ReportContext

REPO = ReportContext(server_url="https://ghe.example.com/", repository="acme/models", head_sha="0123abc")


def test_file_links_point_at_the_head_revision():
    assert REPO.file_url("contracts/a.yaml", 12) == "https://ghe.example.com/acme/models/blob/0123abc/contracts/a.yaml#L12"
    assert REPO.file_url("contracts/a.yaml", None) == "https://ghe.example.com/acme/models/blob/0123abc/contracts/a.yaml"


def test_the_path_is_url_quoted():
    assert REPO.file_url("a b/(x)#?[y]<z>.yaml", 1) == (
        "https://ghe.example.com/acme/models/blob/0123abc/a%20b/%28x%29%23%3F%5By%5D%3Cz%3E.yaml#L1")


@pytest.mark.parametrize("path", ["../../evil", "a/../../b", "/etc/passwd", "a//b", "./a", "a/"])
def test_paths_that_could_walk_out_of_the_tree_get_no_link(path):
    assert REPO.file_url(path, 1) is None


def test_no_link_without_a_repository():
    assert ReportContext().file_url("a.yaml", 1) is None
    assert ReportContext(server_url="https://github.com", repository="acme/models").file_url("a.yaml", 1) is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://x/a b", "https://x/a)b", "ftp://x", "//x"])
def test_urls_must_be_plain_http(url):
    with pytest.raises(ValueError, match="plain http"):
        ReportContext(run_url=url)
    with pytest.raises(ValueError, match="plain http"):
        ReportContext(server_url=url)


def test_the_marker_is_an_html_comment():
    assert ReportContext().marker == MARKER == "<!-- modelgate:report -->"
    assert ReportContext(marker="<!-- modelgate:report:staging -->").marker.endswith("staging -->")
    with pytest.raises(ValueError, match="HTML comment"):
        ReportContext(marker="<!-- x --> <img src=x>")
