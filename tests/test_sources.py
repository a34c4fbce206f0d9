"""Sources: a directory, a git revision (read from objects), the working tree."""

from __future__ import annotations

import os

import pytest

from bot.sources import DirectorySource, GitRevisionSource, SourceError, WorktreeSource, merge_base, open_source
from tests.helpers import commit, git, make_repo, write_tree

FILES = {"a.yaml": "a: 1\n", "dir/b.yml": "b: 2\n", "dir/sub/c.txt": "c\n"}


def listing(source):
    return {e.path: (e.size, e.outside) for e in source.entries()}


def test_directory_and_revision_list_and_read_the_same(tmp_path):
    repo = make_repo(tmp_path / "repo", FILES)
    by_dir = DirectorySource(write_tree(tmp_path / "copy", FILES))
    by_rev = GitRevisionSource(repo, "HEAD")
    try:
        assert listing(by_dir) == listing(by_rev)
        for path in FILES:
            assert by_dir.read(path) == by_rev.read(path) == FILES[path].encode()
        assert by_rev.read("missing") is None and by_dir.read("missing") is None
    finally:
        by_rev.close()


def test_revision_reads_history_not_the_disk(tmp_path):
    repo = make_repo(tmp_path, FILES)
    first = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, {"a.yaml": "a: 2\n", "dir/b.yml": None}, "second")
    write_tree(repo, {"a.yaml": "a: 3 (uncommitted)\n"})
    old = GitRevisionSource(repo, first)
    try:
        assert old.read("a.yaml") == b"a: 1\n" and old.read("dir/b.yml") == b"b: 2\n"
    finally:
        old.close()
    assert "dir/b.yml" not in listing(GitRevisionSource(repo, "HEAD"))


def test_symlinks_leaving_the_repository_are_flagged_never_followed(tmp_path):
    repo = make_repo(tmp_path / "repo", FILES)
    os.symlink("/etc/passwd", repo / "out.yaml")
    os.symlink("a.yaml", repo / "in.yaml")
    commit(repo, {}, "links")
    for source in (DirectorySource(repo), WorktreeSource(repo), GitRevisionSource(repo, "HEAD")):
        entries = listing(source)
        assert entries["out.yaml"][1] is True
        assert source.read("out.yaml") is None
        assert entries["in.yaml"][1] is (isinstance(source, GitRevisionSource))  # git stores links as blobs


def test_working_tree_has_uncommitted_and_untracked_but_not_ignored_files(tmp_path):
    repo = make_repo(tmp_path, {**FILES, ".gitignore": "build/\n"})
    write_tree(repo, {"a.yaml": "a: changed\n", "new.yaml": "n: 1\n", "build/out.yaml": "x: 1\n"})
    (repo / "dir" / "sub" / "c.txt").unlink()
    source = open_source(None, repo)
    assert isinstance(source, WorktreeSource)
    paths = set(listing(source))
    assert {"a.yaml", "new.yaml"} <= paths and "build/out.yaml" not in paths and "dir/sub/c.txt" not in paths
    assert source.read("a.yaml") == b"a: changed\n"


def test_open_source_and_errors(tmp_path):
    repo = make_repo(tmp_path / "repo", FILES)
    assert isinstance(open_source(str(tmp_path / "repo"), repo), DirectorySource)
    assert isinstance(open_source("HEAD", repo), GitRevisionSource)
    with pytest.raises(SourceError, match=r"'no-such-branch' is neither a directory nor a git revision of the "
                                          r"repository here$"):
        open_source("no-such-branch", repo)
    with pytest.raises(SourceError, match=r"nor a git revision \(and this is not a git repository\)$"):
        open_source("no-such-branch", tmp_path)
    with pytest.raises(SourceError):
        DirectorySource(tmp_path / "missing")


def test_outside_git_the_working_tree_is_the_directory_itself(tmp_path):
    write_tree(tmp_path, FILES)
    source = open_source(None, tmp_path)
    assert not isinstance(source, WorktreeSource) and isinstance(source, DirectorySource)
    assert set(listing(source)) >= {"a.yaml"}


def test_merge_base_is_the_fork_point(tmp_path):
    repo = make_repo(tmp_path, FILES)
    fork = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"f.yaml": "f: 1\n"}, "feature work")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"m.yaml": "m: 1\n"}, "landed on main")
    assert merge_base(repo, "main", "feature") == fork


def test_every_source_reads_many_files_and_answers_for_its_links_the_same_way(tmp_path):
    repo = make_repo(tmp_path / "repo", FILES)
    os.symlink("/etc/passwd", repo / "out.yaml")
    commit(repo, {}, "a link out")
    for source in (DirectorySource(repo), WorktreeSource(repo), GitRevisionSource(repo, "HEAD")):
        try:
            entries = {e.path: e for e in source.entries()}
            wanted = [entries[path] for path in sorted(FILES)]
            assert {e.path: data for e, data in source.read_many(wanted)} == {p: c.encode() for p, c in FILES.items()}
            target = source.link_target(entries["out.yaml"])
            assert target == (b"/etc/passwd" if isinstance(source, GitRevisionSource) else None)  # a blob in git
        finally:
            source.close()
