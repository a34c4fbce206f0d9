"""``modelgate calendar`` through the real command line: the example, a git revision, every format, the JSON
against docs/calendar-output.schema.json, and the errors (a bad day, a missing state) as one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import jsonschema
import pytest

from tests.helpers import REPO_ROOT, commit, json_out, make_repo, run_cli, write_tree
from tests.scenarios import contract, line_of, model, version

SCHEMA = json.loads((REPO_ROOT / "docs" / "calendar-output.schema.json").read_text(encoding="utf-8"))
EXAMPLE = "examples/fraud-platform/head"
FILES = {
    "contracts/feat.yaml": contract("feat", version(1, status="deprecated", sunset="2026-12-15", replacement=2),
                                    version(2)),
    "contracts/undated.yaml": contract("undated", version(1, status="deprecated")),
    "models/p.yaml": model("p", provides=[("feat", 1), ("feat", 2), ("undated", 1)]),
    "models/m.yaml": model("m", consumes=[("feat", 1), ("undated", 1)]),
}


def valid(output: dict) -> dict:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(output)
    return output


def test_the_output_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_example_as_json_validates_against_the_schema() -> None:
    done = run_cli("calendar", "--at", EXAMPLE, "--today", "2026-11-28", "--format", "json")
    assert (done.returncode, done.stderr) == (0, "")
    data = valid(json_out(done))
    assert (data["today"], data["at"]) == ("2026-11-28", EXAMPLE)
    assert [(v["subject"], v["days_left"], v["past_due"]) for v in data["versions"]] == [
        ("contract:fraud-score@1", 17, False), ("contract:ato-score@1", 64, False)]
    assert [c["model"] for c in data["versions"][0]["consumers"]] == ["customer-alerts", "fraud-ops-dashboard"]


def test_the_example_as_text_past_a_sunset_still_exits_0() -> None:
    done = run_cli("calendar", "--at", EXAMPLE, "--today", "2026-12-15")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"Deprecation calendar of {EXAMPLE} on 2026-12-15: 2 deprecated contract versions, "
                                  "1 past its sunset with consumers left\n")
    assert "contract:fraud-score@1  sunset 2026-12-15 (today)\n" in done.stdout


def test_the_markdown_has_no_checklist_offline() -> None:
    done = run_cli("calendar", "--at", EXAMPLE, "--today", "2026-11-28", "--format", "markdown")
    assert done.returncode == 0
    assert done.stdout.startswith("## Deprecation calendar\n") and "- [ ]" not in done.stdout


def test_ics_has_an_event_per_sunset_and_names_the_undated_versions_on_stderr(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    done = run_cli("calendar", "--at", str(root), "--today", "2026-11-28", "--format", "ics")
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "modelgate: contract:undated@1 is deprecated without a sunset: no event for it "
        f"(contracts/undated.yaml:{line_of(FILES['contracts/undated.yaml'], 'status: deprecated')}; MG104)"]
    events = icalendar.Calendar.from_ical(done.stdout).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Sunset of contract:feat@1: 1 model still consumes it"]
    assert [a.decoded("TRIGGER").days for a in events[0].walk("VALARM")] == [-30, -7, -1]  # the default notify_days


def test_ics_alarms_follow_the_states_notify_days(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {**FILES, ".modelgate.yml": "calendar:\n  notify_days: [14, 3]\n"})
    out = tmp_path / "sunsets.ics"
    done = run_cli("calendar", "--at", str(root), "--today", "2026-11-28", "--format", "ics", "--output", str(out))
    assert (done.returncode, done.stdout) == (0, "")
    text = out.read_bytes().decode("utf-8")
    assert "\r\nTRIGGER:-P14D\r\n" in text and "\r\nTRIGGER:-P3D\r\n" in text and "-P30D" not in text


def test_a_git_revision_is_read_from_git_objects(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    sha = commit(repo, {"models/m.yaml": model("m", consumes=[("feat", 2)])}, "m moves to feat@2")
    write_tree(repo, {"models/other.yaml": model("other", consumes=[("feat", 1)])})  # uncommitted
    old = json_out(run_cli("calendar", "--at", "HEAD~1", "--today", "2026-11-28", "--format", "json", cwd=repo))
    new = json_out(run_cli("calendar", "--at", sha, "--today", "2026-11-28", "--format", "json", cwd=repo))
    tree = json_out(run_cli("calendar", "--today", "2026-11-28", "--format", "json", cwd=repo))
    for data in (old, new, tree):
        valid(data)

    def consumers(data: dict) -> list[str]:
        return [c["model"] for c in data["versions"][0]["consumers"]]

    assert old["at"] == "HEAD~1" and consumers(old) == ["m"]
    assert new["at"] == sha and consumers(new) == []
    assert consumers(tree) == ["other"]  # the working tree by default


def test_the_day_comes_from_modelgate_today() -> None:
    done = run_cli("calendar", "--at", EXAMPLE, "--format", "json", env={"MODELGATE_TODAY": "2026-12-14"})
    assert json_out(done)["versions"][0]["days_left"] == 1


def test_an_empty_calendar_says_so(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"contracts/c.yaml": contract("c", version(1))})
    done = run_cli("calendar", "--at", root.name, "--today", "2026-11-28", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "No deprecated contract versions in repo on 2026-11-28: nothing "
                                                 "to migrate.\n")


def test_an_unreadable_manifest_is_named_on_stderr(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {**FILES, "models/bad.yaml": "apiVersion: modelgate/v1\nkind: Model\n: [\n"})
    done = run_cli("calendar", "--at", str(root), "--today", "2026-11-28", "--format", "json")
    assert done.returncode == 0
    assert done.stderr.startswith("modelgate: warning: 1 file(s) could not be read as manifests and are left out "
                                  "(models/bad.yaml); run modelgate lint")
    valid(json_out(done))


@pytest.mark.parametrize(("args", "message"), [
    (("--today", "2026-02-30"), "modelgate: error: --today / MODELGATE_TODAY: '2026-02-30' is not a date (YYYY-MM-DD)"),
    (("--at", "no/such/dir"), "modelgate: error: 'no/such/dir' is neither a directory nor a git revision"),
])
def test_errors_are_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    done = run_cli("calendar", *args)
    assert (done.returncode, done.stdout, len(done.stderr.splitlines())) == (2, "", 1)
    assert done.stderr.startswith(message)


def test_an_unknown_format_is_a_usage_error() -> None:
    done = run_cli("calendar", "--format", "sarif")
    assert done.returncode == 2 and "invalid choice: 'sarif'" in done.stderr


def test_the_documented_json_is_what_the_example_prints() -> None:
    text = (REPO_ROOT / "docs" / "calendar.md").read_text(encoding="utf-8")
    section = text[text.index("### `--format json`"):]
    start = section.index("```json\n") + len("```json\n")
    documented = json.loads(section[start:section.index("\n```", start)])
    printed = json_out(run_cli("calendar", "--at", documented["at"], "--today", documented["today"], "--format",
                               "json"))
    assert documented["versions"][0] == printed["versions"][0]
    assert [v["subject"] for v in documented["versions"]] == [v["subject"] for v in printed["versions"]]


def test_a_consumer_whose_manifest_does_not_load_is_named_in_every_format(tmp_path: Path) -> None:
    """The only consumer's manifest breaks: the calendar must not say "no model consumes it any more"."""
    files = {**FILES, "models/m.yaml": FILES["models/m.yaml"].replace("kind: Model", "kind: Model\nbogus: [")}
    root = write_tree(tmp_path / "repo", files)

    def calendar(fmt: str) -> str:
        done = run_cli("calendar", "--at", str(root), "--today", "2026-11-28", "--format", fmt)
        assert done.returncode == 0 and "models/m.yaml" in done.stderr
        return done.stdout

    text = calendar("text")
    assert text.startswith("Warning: 1 manifest could not be read, so a consumer it holds is missing here: "
                           "models/m.yaml (run modelgate lint)\n")
    assert "  no readable model consumes it; 1 manifest could not be read: models/m.yaml\n" in text
    assert "no model consumes it any more" not in text
    markdown = calendar("markdown")
    assert "No readable model consumes it; 1 manifest could not be read: models/m.yaml.\n" in markdown
    assert "> 1 manifest could not be read, so a consumer it holds is missing here: models/m.yaml" in markdown
    data = valid(json.loads(calendar("json")))
    assert data["unreadable"] == ["models/m.yaml"] and data["versions"][0]["consumers"] == []
    ics = icalendar.Calendar.from_ical(calendar("ics")).walk("VEVENT")[0]
    assert str(ics["SUMMARY"]) == "Sunset of contract:feat@1 (no readable model consumes it)"
    assert "No readable model consumes it; 1 manifest could not be read: models/m.yaml" in str(ics["DESCRIPTION"])
    readable = json_out(run_cli("calendar", "--at", str(write_tree(tmp_path / "ok", FILES)), "--format", "json",
                                "--today", "2026-11-28"))
    assert readable["unreadable"] == []


@pytest.mark.parametrize("cache", ["none", "dir"])
def test_yaml_timestamps_are_findings_never_a_crash(tmp_path: Path, cache: str) -> None:
    """A timestamp where a date is expected is one MG001 with its line (a description wants a string: one MG001
    too); in a schema's default it is data, and it survives the parse cache as a timestamp."""
    feat = contract("feat", version(1, status="deprecated", sunset="2026-12-20T10:00:00Z", replacement=2),
                    version(2)).replace("        type: object\n",
                                        "        type: object\n        default: {a: 2026-12-20 10:00:00}\n", 1)
    files = {**FILES, "contracts/feat.yaml": feat,
             "contracts/undated.yaml": FILES["contracts/undated.yaml"].replace(
                 "  name: undated\n", "  name: undated\n  description: 2026-12-20T10:00:00Z\n")}
    root = write_tree(tmp_path / "repo", files)
    env = {"MODELGATE_CACHE_DIR": "none" if cache == "none" else str(tmp_path / "cache")}
    for _ in range(2):  # cold, then warm when the cache is on
        lint = run_cli("lint", str(root), "--format", "json", env=env)
        assert lint.returncode == 1 and "Traceback" not in lint.stderr, lint.stderr
        found = [(f["rule"], f["file"], f["line"], f["message"]) for f in json_out(lint)["findings"]]
        assert sorted(f[:3] for f in found) == [("MG001", "contracts/feat.yaml", line_of(feat, "sunset:")),
                                                ("MG001", "contracts/undated.yaml", 5)]
        assert next(f[3] for f in found if f[1] == "contracts/feat.yaml").endswith(
            "is a timestamp: write a date (YYYY-MM-DD), not a timestamp")
        done = run_cli("calendar", "--at", str(root), "--today", "2026-11-28", "--format", "json", env=env)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert valid(json_out(done))["unreadable"] == ["contracts/feat.yaml", "contracts/undated.yaml"]


def test_an_invalid_configuration_and_a_duplicated_name_are_warnings(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        **FILES, ".modelgate.yml": "calendar:\n  enabled: nope\n",
        "models/z-dup.yaml": model("m", consumes=[("feat", 2)])})
    done = run_cli("calendar", "--at", str(root), "--today", "2026-11-28", "--format", "json")
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert lines[0].startswith("modelgate: warning: .modelgate.yml is invalid (line 2: ")
    assert lines[0].endswith("): the defaults are used; run modelgate lint")
    assert lines[1:] == ["modelgate: warning: models/z-dup.yaml is left out: model name 'm' is already used by "
                         "models/m.yaml (MG002)"]
    assert "could not be read as manifests" not in done.stderr
    assert valid(json_out(done))["unreadable"] == []  # the configuration is no manifest


def test_a_migration_guide_outside_the_repository_is_shown_as_written(tmp_path: Path) -> None:
    url = "https://wiki.example/feat-v2"
    feat = contract("feat", version(1, status="deprecated", sunset="2026-12-15", replacement=2, migration=url),
                    version(2))
    root = write_tree(tmp_path / "repo", {**FILES, "contracts/feat.yaml": feat})
    args = ("calendar", "--at", str(root), "--today", "2026-11-28", "--format")
    assert json_out(run_cli(*args, "json"))["versions"][0]["migration"] == url
    assert f"  migration    {url}\n" in run_cli(*args, "text").stdout
    assert "- **Migration guide:** https" in run_cli(*args, "markdown").stdout
    assert f"Migration guide: {url}" in str(
        icalendar.Calendar.from_ical(run_cli(*args, "ics").stdout).walk("VEVENT")[0]["DESCRIPTION"])


@pytest.mark.parametrize("day", ["20261128", "2026-W48-6", "2026-332", "2026-11-28T00:00"])
def test_only_a_calendar_date_is_a_day(day: str) -> None:
    for done in (run_cli("calendar", "--at", EXAMPLE, "--today", day),
                 run_cli("calendar", "--at", EXAMPLE, env={"MODELGATE_TODAY": day})):
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith(f"modelgate: error: --today / MODELGATE_TODAY: {day!r} is not a date "
                                      "(YYYY-MM-DD)")
