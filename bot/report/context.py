"""What the GitHub adapter knows about where a report is shown: presentation inputs, never results.

The only links a report builds are file:line links to the head revision, made here from a repository path
and a line the core computed (the path URL-quoted), and the run's own URL. Free text never becomes a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

MARKER = "<!-- modelgate:report -->"
DEFAULT_STAGES = ("shadow", "canary", "production")

# A URL we paste between markdown parentheses: http(s), no whitespace and nothing that ends a link or a tag.
_PLAIN_URL = re.compile(r"^https?://[^\s()<>\[\]\"'`\\]+$")
_MARKER = re.compile(r"^<!-- [a-z0-9:._-]+ -->$")


@dataclass(frozen=True)
class ReportContext:
    """Optional presentation inputs of a report.

    ``server_url`` (``$GITHUB_SERVER_URL``), ``repository`` (``owner/name``) and ``head_sha`` together turn
    ``file:line`` into links to ``{server}/{repo}/blob/{sha}/{file}#L{line}``; ``run_url`` is the workflow
    run, where the job summary holds the full report; ``stages`` are the rollout stages the commands help
    lists; ``show_help`` adds that help to the report.
    """

    server_url: str | None = None
    repository: str | None = None
    head_sha: str | None = None
    marker: str = MARKER
    run_url: str | None = None
    stages: tuple[str, ...] = DEFAULT_STAGES
    show_help: bool = True

    def __post_init__(self) -> None:
        for name in ("server_url", "run_url"):
            value = getattr(self, name)
            if value is not None and not _PLAIN_URL.match(value):
                raise ValueError(f"ReportContext.{name} must be a plain http(s) URL, got {value!r}")
        if not _MARKER.match(self.marker):
            raise ValueError(f"ReportContext.marker must be an HTML comment like {MARKER!r}, got {self.marker!r}")

    def file_url(self, file: str, line: int | None) -> str | None:
        """The link to ``file`` (at ``line``) in the head revision, or None without a repository to link to.

        Only a plain repository-relative path gets a link: no empty, ``.`` or ``..`` segment can walk the URL
        out of the repository's tree.
        """
        if not (self.server_url and self.repository and self.head_sha):
            return None
        if any(part in ("", ".", "..") for part in file.split("/")):
            return None
        url = "/".join((
            self.server_url.rstrip("/"), quote(self.repository, safe="/"), "blob",
            quote(self.head_sha, safe=""), quote(file, safe="/"),
        ))
        return f"{url}#L{line}" if line else url
