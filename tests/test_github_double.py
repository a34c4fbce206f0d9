"""The GitHub double's own helpers (the double itself is exercised by every test that talks to GitHub)."""

from tests.github_double import path_template


def test_a_request_path_maps_to_its_template_in_the_rest_description():
    assert path_template("/repos/acme/platform/pulls/7") == "/repos/{owner}/{repo}/pulls/{pull_number}"
    assert path_template("/repos/acme/platform/issues/7/comments") == \
        "/repos/{owner}/{repo}/issues/{issue_number}/comments"
    assert path_template("/repos/acme/platform/issues/comments/12") == \
        "/repos/{owner}/{repo}/issues/comments/{comment_id}"
    assert path_template("/orgs/acme/teams/risk/members") == "/orgs/{org}/teams/{team_slug}/members"


def test_a_path_outside_the_description_is_kept_as_is():
    assert path_template("/repos/acme/platform/git/trees/main") == "/repos/acme/platform/git/trees/main"
