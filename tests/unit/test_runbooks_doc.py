"""The runbook document model: title, headings, sections, code blocks, links, reading errors."""

from __future__ import annotations

import os

import pytest

from cockpit.runbooks.doc import (
    MAX_RUNBOOK_BYTES,
    RunbookReadError,
    anchor_of,
    name_from_url,
    parse_runbook,
    read_runbook,
    read_runbook_text,
)

DOC = """\
---
owner: payments
---
# Gateway TLS

Intro with a [link](other.md#top) and `[not a link](x.md)`.

## Check the chain

```sh
# a comment, not a heading
openssl s_client -connect gw:443 </dev/null
```

Setext heading
--------------

~~~
## not a heading either
~~~

See [ref][r] and <https://status.example.com/>.

[r]: ../shared/escalation.md
"""


@pytest.fixture
def doc():
    return parse_runbook(DOC, source="/lib/payments/gateway-tls.md", name="gateway-tls")


def test_title_is_the_first_level_one_heading(doc):
    assert doc.title == "Gateway TLS"


def test_title_falls_back_to_the_file_name():
    assert parse_runbook("## only a subheading\n", source="/x/db-failover.md").title == "Db failover"
    assert parse_runbook("---\ntitle: From meta\n---\n# Heading\n").title == "From meta"


def test_headings_with_line_numbers_levels_and_anchors_ignoring_code(doc):
    assert [(h.line, h.level, h.text, h.anchor) for h in doc.headings] == [
        (4, 1, "Gateway TLS", "gateway-tls"),
        (8, 2, "Check the chain", "check-the-chain"),
        (15, 2, "Setext heading", "setext-heading"),
    ]


def test_frontmatter_is_meta_and_lines_still_count_from_the_file_start(doc):
    assert doc.meta == {"owner": "payments"} and doc.body_start == 4 and doc.meta_error is None


def test_bad_frontmatter_is_reported_not_raised():
    doc = parse_runbook("---\nkey: [unclosed\n---\n# T\n")
    assert doc.meta == {} and "invalid YAML" in doc.meta_error


def test_sections_map_each_heading_to_its_body(doc):
    sections = {s.heading.text: s for s in doc.sections if s.heading}
    chain = sections["Check the chain"]
    assert chain.start == 8 and chain.end == 14 and chain.body_line == 9
    assert chain.body[2] == "# a comment, not a heading"
    assert sections["Setext heading"].body_line == 17  # after the underline


def test_code_blocks_know_their_language_line_and_heading(doc):
    first, second = doc.code_blocks
    assert (first.line, first.language, first.heading.text) == (10, "sh", "Check the chain")
    assert first.text == "# a comment, not a heading\nopenssl s_client -connect gw:443 </dev/null"
    assert (second.language, second.text, second.heading.text) == ("", "## not a heading either", "Setext heading")


def test_indented_fences_inside_list_items_are_dedented():
    doc = parse_runbook("1. Run:\n\n   ```bash\n   kubectl get pods\n   ```\n")
    assert doc.code_blocks[0].text == "kubectl get pods" and doc.code_blocks[0].language == "bash"


def test_an_unclosed_fence_runs_to_the_end():
    doc = parse_runbook("# T\n```\n# inside\n")
    assert [h.text for h in doc.headings] == ["T"] and doc.code_blocks[0].text == "# inside"


def test_links_resolve_relative_to_the_runbooks_folder(doc):
    by_text = {link.text: link for link in doc.links}
    assert set(by_text) == {"link", "ref", "https://status.example.com/"}  # not the one in inline code
    assert by_text["link"].resolved == "/lib/payments/other.md" and by_text["link"].anchor == "top"
    assert by_text["link"].to_runbook and not by_text["link"].external
    assert by_text["ref"].resolved == "/lib/shared/escalation.md" and by_text["ref"].line == 22
    assert by_text["https://status.example.com/"].external


def test_links_of_a_synced_page_resolve_against_its_url():
    doc = parse_runbook("[next](failover.md#steps) [same](#top)", source="https://wiki.example.com/rb/db.md")
    link, same = doc.links
    assert link.resolved == "https://wiki.example.com/rb/failover.md" and link.anchor == "steps"
    assert same.same_page and same.resolved is None and same.anchor == "top"


def test_duplicate_headings_get_numbered_anchors_like_github():
    doc = parse_runbook("## Steps\n## Steps\n## `kubectl` & Friends!\n")
    assert [h.anchor for h in doc.headings] == ["steps", "steps-1", "kubectl--friends"]
    assert doc.heading_for("STEPS-1").line == 2


def test_anchor_and_url_names():
    assert anchor_of("Runbook: CheckoutGatewayTLS") == "runbook-checkoutgatewaytls"
    assert name_from_url("https://wiki.example.com/ops/DB-Failover.md?raw=1") == "db-failover"
    assert name_from_url("https://wiki.example.com/") == "wiki.example.com"


# ------------------------------------------------------------------ reading bad input


def test_invalid_utf8_is_a_located_reason(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# Caf\xe9\n".encode("latin-1"))
    with pytest.raises(RunbookReadError, match=r"latin1\.md: not UTF-8 text \(invalid continuation byte at byte 5\)"):
        read_runbook(path)


def test_binary_and_oversized_files_are_refused(tmp_path):
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(RunbookReadError, match="binary file"):
        read_runbook_text(binary)
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (MAX_RUNBOOK_BYTES + 1))
    with pytest.raises(RunbookReadError, match=r"big\.md: too large"):
        read_runbook_text(big)


def test_a_symlink_loop_is_named_as_such(tmp_path):
    loop = tmp_path / "loop.md"
    os.symlink(loop, loop)
    with pytest.raises(RunbookReadError, match="loop.md: symlink loop"):
        read_runbook_text(loop)


def test_a_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff# Title\n".encode("utf-8"))
    assert read_runbook(path).title == "Title"
