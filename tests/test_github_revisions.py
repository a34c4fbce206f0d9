"""``bot.github.revisions`` against a real remote: a bare ``origin``, a PR head under ``refs/pull/7/head``
only (a fork's), and the Actions workspace as actions/checkout leaves it (``git clone --depth=1``).

What must hold: missing commits are fetched by name, the merge base is found however shallow the clone,
a commit that exists nowhere is one clear SourceError, nothing is checked out, and the head is read with
the base's configuration.
"""

from __future__ import annotations

import base64
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.github import revisions
from bot.github.pull_request import Settings
from bot.github.revisions import (
    FetchAuth,
    ensure_commits,
    fetch_auth,
    find_merge_base,
    has_commit,
    header_scope,
    is_shallow,
    load_trusted_states,
    redact,
)
from bot.sources import SourceError
from tests.helpers import commit, contract, git, make_repo, model
from tests.http_recorder import Request, recorder

PIPE = model("pipe", provides=[("feat", 1)])
FEAT = contract("feat")


@dataclass(frozen=True)
class Remote:
    origin: Path  # the bare repository every clone fetches from
    dev: Path  # "GitHub": where main grows and the PR head is pushed from
    fork: str  # the commit the PR branched from
    head: str  # the PR head, only under refs/pull/7/head on origin


def _push(remote: Remote, *refspecs: str) -> None:
    git(remote.dev, "push", "-q", "--force", "origin", *refspecs)


def _grow_main(dev: Path, count: int) -> str:
    for i in range(count):
        git(dev, "commit", "-q", "--allow-empty", "-m", f"main {i}")
    return git(dev, "rev-parse", "HEAD").strip()


def make_remote(tmp_path: Path, files: dict[str, str | None] | None = None,
                pr_files: dict[str, str | None] | None = None, history: int = 0) -> Remote:
    """origin with main at the fork point (after ``history`` more commits) and the PR head (two commits) pushed
    as refs/pull/7/head only."""
    origin = tmp_path / "origin.git"
    origin.mkdir()
    git(origin, "init", "-q", "--bare", "-b", "main")
    dev = make_repo(tmp_path / "dev", {"contracts/feat.yaml": FEAT, "models/pipe.yaml": PIPE, **(files or {})})
    fork = _grow_main(dev, history)
    git(dev, "checkout", "-q", "-b", "feature")
    commit(dev, {"models/user.yaml": model("user", consumes=[("feat", 1)])}, "pr: add user")
    head = commit(dev, pr_files or {"models/pipe.yaml": PIPE.replace("1.0.0", "1.1.0")}, "pr: bump pipe")
    git(dev, "checkout", "-q", "main")
    git(dev, "remote", "add", "origin", origin.as_uri())
    remote = Remote(origin, dev, fork, head)
    _push(remote, "main", f"{head}:refs/pull/7/head")
    return remote


def shallow_clone(remote: Remote, path: Path) -> Path:
    """The workspace as actions/checkout makes it: depth 1, main checked out."""
    subprocess.run(["git", "clone", "-q", "--depth=1", remote.origin.as_uri(), str(path)], check=True,
                   capture_output=True)
    return path


def worktree_state(workspace: Path) -> tuple[str, str, dict[str, bytes]]:
    """HEAD, ``git status`` and every file of the working tree (``.git`` excepted)."""
    files = {p.relative_to(workspace).as_posix(): p.read_bytes()
             for p in workspace.rglob("*") if p.is_file() and ".git" not in p.relative_to(workspace).parts}
    return git(workspace, "rev-parse", "HEAD").strip(), git(workspace, "status", "--porcelain"), files


def test_a_missing_base_and_a_fork_head_under_refs_pull_are_fetched_without_checking_anything_out(
        tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    base = commit(remote.dev, {"contracts/feat.yaml": FEAT.replace("number", "integer")}, "main moves on")
    _push(remote, "main")
    before = worktree_state(workspace)
    assert (has_commit(workspace, base), has_commit(workspace, remote.head), is_shallow(workspace)) == (
        False, False, True)

    ensure_commits(workspace, [base, remote.head], ["refs/pull/7/head"])

    assert has_commit(workspace, base) and has_commit(workspace, remote.head)
    assert git(workspace, "rev-parse", "refs/remotes/origin/pull/7/head").strip() == remote.head
    assert worktree_state(workspace) == before
    assert before[0] == remote.fork  # the clone's main, still checked out: the PR head never was


@pytest.mark.parametrize("depth", [200, 2])  # 2: main moved further than the first fetch reaches
def test_the_merge_base_is_found_in_a_depth_1_clone_and_commits_that_landed_on_main_are_not_the_prs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, depth: int) -> None:
    monkeypatch.setattr(revisions, "FETCH_DEPTH", depth)
    remote = make_remote(tmp_path)
    commit(remote.dev, {"models/late.yaml": model("late", consumes=[("feat", 1)])}, "landed on main")
    landed = _grow_main(remote.dev, 4)
    _push(remote, "main")
    workspace = shallow_clone(remote, tmp_path / "ws")
    before = worktree_state(workspace)

    ensure_commits(workspace, [landed, remote.head], ["refs/pull/7/head"])
    states = load_trusted_states(workspace, landed, remote.head)
    base, head = states.base, states.head

    assert base.label == remote.fork
    assert sorted(base.models) == ["pipe"]  # the fork point: neither the PR's user nor main's later model
    assert sorted(head.models) == ["pipe", "user"]
    assert head.label == remote.head
    assert worktree_state(workspace) == before


def test_a_fork_point_beyond_the_first_fetch_depth_is_reached_by_deepening(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revisions, "FETCH_DEPTH", 2)  # as 200 does for a PR 200+ commits behind main
    remote = make_remote(tmp_path, history=20)
    base = _grow_main(remote.dev, 5)
    _push(remote, "main")
    workspace = shallow_clone(remote, tmp_path / "ws")
    before = worktree_state(workspace)

    ensure_commits(workspace, [base, remote.head], ["refs/pull/7/head"])
    assert is_shallow(workspace)
    assert subprocess.run(["git", "-C", str(workspace), "merge-base", base, remote.head],
                          capture_output=True, check=False).returncode == 1  # 2 commits of main are not enough

    assert find_merge_base(workspace, base, remote.head) == remote.fork
    assert is_shallow(workspace)  # deepened as far as needed (2, then 4 and 8 commits), not all 27
    assert worktree_state(workspace) == before


def test_unrelated_histories_fall_back_to_the_base_once_the_history_is_complete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revisions, "FETCH_DEPTH", 2)
    remote = make_remote(tmp_path)
    base = _grow_main(remote.dev, 4)
    git(remote.dev, "checkout", "-q", "--orphan", "other")
    lonely = commit(remote.dev, {"x.txt": "x\n"}, "unrelated")
    git(remote.dev, "checkout", "-q", "-f", "main")
    _push(remote, "main", f"{lonely}:refs/pull/8/head")
    workspace = shallow_clone(remote, tmp_path / "ws")

    ensure_commits(workspace, [base, lonely], ["refs/pull/8/head"])

    assert find_merge_base(workspace, base, lonely) == base
    assert not is_shallow(workspace)


def test_a_commit_that_exists_nowhere_is_one_clear_error(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    before = worktree_state(workspace)
    ghost = "0123456789abcdef0123456789abcdef01234567"

    with pytest.raises(SourceError) as caught:
        ensure_commits(workspace, [remote.fork, ghost], ["refs/pull/7/head"])

    message = str(caught.value)
    assert message.startswith(f"cannot fetch {remote.fork} {ghost} +refs/pull/7/head:")
    assert "from origin: " in message and f"not our ref {ghost}" in message
    assert "\n" not in message
    assert worktree_state(workspace) == before


def test_a_pull_request_ref_that_does_not_exist_is_named_in_the_error(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    with pytest.raises(SourceError, match=r"couldn't find remote ref refs/pull/9/head"):
        ensure_commits(workspace, [remote.fork, remote.head], ["refs/pull/9/head"])


def test_a_complete_clone_that_has_both_commits_does_not_fetch(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    workspace = tmp_path / "full"
    subprocess.run(["git", "clone", "-q", str(remote.dev), str(workspace)], check=True, capture_output=True)
    git(workspace, "remote", "set-url", "origin", (tmp_path / "nowhere.git").as_uri())  # any fetch would fail
    ensure_commits(workspace, [remote.fork, remote.head], ["refs/pull/7/head"])
    assert git(workspace, "for-each-ref", "--format=%(refname)", "refs/remotes/origin/pull").strip() == ""


TOKEN = "ghs_the-run-token"
HEADER = "basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()


@pytest.mark.parametrize("token", [TOKEN, None])
def test_a_fetch_over_http_carries_the_runs_token_only_in_gits_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    """The workflows check out with persist-credentials: false, so the fetch of a private repository's PR head
    authenticates with the run's token, as a header of that one git command: never written to .git/config, and
    taken from the settings, not from the environment."""
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_from-the-environment")  # never read by the fetch
    with recorder() as (port, seen):
        git(workspace, "remote", "set-url", "origin", f"http://127.0.0.1:{port}/acme/repo.git")
        with pytest.raises(SourceError, match=r"^cannot fetch "):
            ensure_commits(workspace, [remote.head], ["refs/pull/7/head"],
                           auth=FetchAuth(token, f"http://127.0.0.1:{port}"))
    assert seen and {request.authorization for request in seen} == {None if token is None else HEADER}
    assert "extraheader" not in (workspace / ".git" / "config").read_text()


@pytest.mark.parametrize(("origin", "server"), [
    ("http://127.0.0.1:{other}/acme/repo.git", "http://127.0.0.1:{port}"),  # origin on another port
    ("http://127.0.0.1:{port}/acme/repo.git", "http://localhost:{port}"),  # the same server under another host name
    ("http://127.0.0.1:{port}/acme/repo.git", "https://127.0.0.1:{port}"),  # another scheme
    ("http://127.0.0.1:{port}/acme-two/repo.git", "http://127.0.0.1:{port}/acme"),  # a path prefix, not at a "/"
    ("http://127.0.0.1:{port}/acme/repo.git", "https://github.com"),  # the default server
])
def test_the_token_is_sent_to_the_runs_server_only_whatever_origin_names(
        tmp_path: Path, origin: str, server: str) -> None:
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    with recorder() as (port, seen), recorder() as (other, other_seen):
        git(workspace, "remote", "set-url", "origin", origin.format(port=port, other=other))
        with pytest.raises(SourceError, match=r"^cannot fetch "):
            ensure_commits(workspace, [remote.head], ["refs/pull/7/head"],
                           auth=FetchAuth(TOKEN, server.format(port=port, other=other)))
    requests = seen + other_seen
    assert requests and {request.authorization for request in requests} == {None}


def test_a_url_rewrite_in_the_repositorys_config_does_not_take_the_token_elsewhere(tmp_path: Path) -> None:
    """origin names the run's server, but ``url.<elsewhere>.insteadOf`` sends git to another one: git matches the
    header's scope on the URL it really fetches, so the rewritten fetch goes out without the token."""
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    with recorder() as (port, seen), recorder() as (other, other_seen):
        server = f"http://127.0.0.1:{port}"
        git(workspace, "remote", "set-url", "origin", f"{server}/acme/repo.git")
        git(workspace, "config", f"url.http://127.0.0.1:{other}/.insteadOf", f"{server}/")
        with pytest.raises(SourceError, match=r"^cannot fetch "):
            ensure_commits(workspace, [remote.head], ["refs/pull/7/head"], auth=FetchAuth(TOKEN, server))
    assert seen == []
    assert other_seen and {request.authorization for request in other_seen} == {None}


def test_configuration_already_in_gits_environment_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner (or an earlier step) may configure git through GIT_CONFIG_COUNT too: the header is appended."""
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "http.userAgent")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "runner-agent/1.0")
    with recorder() as (port, seen):
        git(workspace, "remote", "set-url", "origin", f"http://127.0.0.1:{port}/acme/repo.git")
        with pytest.raises(SourceError, match=r"^cannot fetch "):
            ensure_commits(workspace, [remote.head], ["refs/pull/7/head"],
                           auth=FetchAuth(TOKEN, f"http://127.0.0.1:{port}"))
    assert seen and set(seen) == {Request(HEADER, "runner-agent/1.0")}


@pytest.mark.parametrize(("server", "key"), [
    ("https://github.com", "http.https://github.com/.extraheader"),
    ("https://github.com/", "http.https://github.com/.extraheader"),
    ("HTTPS://GHE.Example.com:8443/", "http.https://ghe.example.com:8443/.extraheader"),
    ("https://ghe.example.com/git", "http.https://ghe.example.com/git/.extraheader"),
    ("https://user:pw@ghe.example.com", "http.https://ghe.example.com/.extraheader"),  # any user name matches
    ("ftp://github.com", None),
    ("github.com", None),
    ("", None),
    ("https://github.com:notaport", None),
])
def test_the_headers_scope_is_the_servers_scheme_host_port_and_path(server: str, key: str | None) -> None:
    assert header_scope(server) == key
    expected = {} if key is None else {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": key,
                                       "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: {HEADER}"}
    assert fetch_auth(FetchAuth(TOKEN, server), {}) == expected


def test_the_header_follows_the_entries_already_counted_and_a_bad_count_is_an_error() -> None:
    given = {"GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "a.b", "GIT_CONFIG_VALUE_0": "1",
             "GIT_CONFIG_KEY_1": "c.d", "GIT_CONFIG_VALUE_1": "2"}
    assert fetch_auth(FetchAuth(TOKEN), given) == {
        "GIT_CONFIG_COUNT": "3", "GIT_CONFIG_KEY_2": "http.https://github.com/.extraheader",
        "GIT_CONFIG_VALUE_2": f"AUTHORIZATION: {HEADER}"}
    assert fetch_auth(FetchAuth(None), given) == fetch_auth(FetchAuth(""), given) == fetch_auth(None, given) == {}
    with pytest.raises(SourceError, match=r"^GIT_CONFIG_COUNT is 'two', not a number"):
        fetch_auth(FetchAuth(TOKEN), {"GIT_CONFIG_COUNT": "two"})


def test_the_token_is_in_no_error_message_nor_in_the_settings_repr(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """A failing fetch, with git told to trace its HTTP traffic unredacted to its stderr: the token is neither in
    the error nor in this process's output. ``redact`` blanks it wherever git would echo it."""
    remote = make_remote(tmp_path)
    workspace = shallow_clone(remote, tmp_path / "ws")
    monkeypatch.setenv("GIT_TRACE_REDACT", "0")
    monkeypatch.setenv("GIT_CURL_VERBOSE", "1")
    with recorder() as (port, seen):
        auth = FetchAuth(TOKEN, f"http://127.0.0.1:{port}")
        git(workspace, "remote", "set-url", "origin", f"http://127.0.0.1:{port}/acme/repo.git")
        with pytest.raises(SourceError) as caught:
            ensure_commits(workspace, [remote.head], ["refs/pull/7/head"], auth=auth)
    assert seen and {request.authorization for request in seen} == {HEADER}
    out, err = capfd.readouterr()
    secrets = (TOKEN, HEADER.removeprefix("basic "))
    for text in (str(caught.value), repr(caught.value), out, err, repr(auth), repr(settings_with(auth))):
        assert not any(secret in text for secret in secrets), text
    assert redact(f"fatal: Authorization: {HEADER} for {TOKEN}", auth) == "fatal: Authorization: basic *** for ***"


def settings_with(auth: FetchAuth) -> Settings:
    return Settings("acme/repo", Path("."), date(2026, 12, 5), server_url=auth.server_url, token=auth.token)


def test_a_fetch_does_not_recurse_into_submodules(tmp_path: Path) -> None:
    """A submodule's remote is not the run's server, and the PR decides which submodule commits its head needs:
    with git's default (fetch.recurseSubmodules=on-demand) fetching the head would fetch the submodule too."""
    sub = make_repo(tmp_path / "sub", {"x.txt": "1\n"})
    remote = make_remote(tmp_path)
    allow = ("-c", "protocol.file.allow=always")
    git(remote.dev, *allow, "submodule", "add", "-q", sub.as_uri(), "vendor/sub")
    git(remote.dev, "commit", "-q", "-m", "add the submodule")
    _push(remote, "main")
    git(remote.dev, "checkout", "-q", "-b", "pr-sub")
    bumped = commit(remote.dev / "vendor" / "sub", {"x.txt": "2\n"}, "a submodule commit only the PR's author has")
    git(remote.dev, "add", "vendor/sub")
    head = commit(remote.dev, {"models/pipe.yaml": PIPE.replace("1.0.0", "1.2.0")}, "pr: bump the submodule")
    git(remote.dev, "checkout", "-q", "main")
    _push(remote, f"{head}:refs/pull/8/head")
    workspace = tmp_path / "ws"
    git(tmp_path, *allow, "clone", "-q", "--depth=1", "--recurse-submodules", remote.origin.as_uri(), str(workspace))
    with recorder() as (port, seen):
        git(workspace / "vendor" / "sub", "remote", "set-url", "origin", f"http://127.0.0.1:{port}/sub.git")
        ensure_commits(workspace, [head], ["refs/pull/8/head"], auth=FetchAuth(TOKEN, f"http://127.0.0.1:{port}"))
    assert has_commit(workspace, head)
    assert git(workspace, "ls-tree", head, "vendor/sub").split()[2] == bumped  # the head needs a commit sub lacks
    assert not has_commit(workspace / "vendor" / "sub", bumped)
    assert seen == []


def test_the_head_is_read_with_the_base_configuration(tmp_path: Path) -> None:
    trusted = "status_context: gate-from-base\nmanifests: {include: ['**/*.yaml'], exclude: ['legacy/**']}\n"
    hostile = "status_context: gate-from-pr\nmanifests: {include: ['**/*.yaml'], exclude: ['models/**']}\n"
    legacy = {"legacy/old.yaml": model("old")}
    remote = make_remote(tmp_path, {".modelgate.yml": trusted, **legacy},
                         {".modelgate.yml": hostile, "models/pipe.yaml": PIPE.replace("1.0.0", "2.0.0")})
    workspace = shallow_clone(remote, tmp_path / "ws")
    ensure_commits(workspace, [remote.fork, remote.head], ["refs/pull/7/head"])

    states = load_trusted_states(workspace, remote.fork, remote.head)
    base, head = states.base, states.head

    assert head.config == base.config
    assert head.config.status_context == "gate-from-base"
    assert sorted(head.models) == ["pipe", "user"]  # the PR's exclude of models/** is not applied
    assert "legacy/old.yaml" not in {m.path for m in head.manifests}


def test_a_config_path_other_than_the_default_is_read_from_the_base(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, {"ci/gate.yml": "status_context: from-base\n"},
                         {"ci/gate.yml": "status_context: from-pr\n"})
    workspace = shallow_clone(remote, tmp_path / "ws")
    ensure_commits(workspace, [remote.fork, remote.head], ["refs/pull/7/head"])

    states = load_trusted_states(workspace, remote.fork, remote.head, "ci/gate.yml")
    base, head = states.base, states.head

    assert (base.config.status_context, head.config.status_context) == ("from-base", "from-base")


def test_an_invalid_configuration_at_the_base_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, {"ci/gate.yml": "status_context: ok\nrules: {MG101: loud}\n"})
    workspace = shallow_clone(remote, tmp_path / "ws")
    ensure_commits(workspace, [remote.fork, remote.head], ["refs/pull/7/head"])

    with pytest.raises(SourceError, match=r"^ci/gate\.yml:2: .* \(the configuration at the trust root\)$"):
        load_trusted_states(workspace, remote.fork, remote.head, "ci/gate.yml")
