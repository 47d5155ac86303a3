"""The repository explains itself: no file in it refers to a document outside it (issue 11).

The domain, the solver's formats and the API's rules are in `docs/` (`docs/domain.md`,
`docs/matching-format.md`, …) and in the OpenAPI document; a reference to the design notes
the project started from, which a clone does not have, would send a reader nowhere.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Spelled in pieces, so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        (
            r"\.\./" + "shared",
            r"\b" + "DOMAIN" + r"\.md",
            r"\b" + "API" + r"\.md",
            "MATCHING" + "_FORMAT",
        )
    )
)
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)")


def repository_files() -> list[Path]:
    """Every file of the checkout that git would commit: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary, or gone meanwhile


@pytest.fixture(scope="module")
def files() -> list[Path]:
    try:
        return repository_files()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")


def test_no_file_refers_to_a_document_outside_the_repository(files: list[Path]) -> None:
    found = []
    for path in files:
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for match in OUTSIDE.finditer(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert found == [], "references outside the repository:\n" + "\n".join(found)


def test_no_markdown_link_leaves_the_repository(files: list[Path]) -> None:
    leaving = []
    for path in files:
        if path.suffix != ".md" or (text := _text(path)) is None:
            continue
        for target in MARKDOWN_LINK.findall(text):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(ROOT):
                leaving.append(f"{path.relative_to(ROOT)}: {target}")
    assert leaving == []


def test_the_documents_the_code_cites_are_here() -> None:
    for name in ("domain.md", "matching-format.md", "versioning.md"):
        assert (ROOT / "docs" / name).is_file(), name
    assert (ROOT / "CHANGELOG.md").is_file()
    domain = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    # The sections the code cites as "docs/domain.md §n".
    for section in range(1, 8):
        assert f"## §{section} " in domain, section
