"""Knowledge-base parsing and chunking: pure functions, no database."""

import hashlib
import re
from pathlib import Path

import pytest

from ai_enrichment.knowledge.chunking import (
    Chunk,
    Section,
    chunk_sections,
    content_hash,
    estimate_tokens,
    parse_document,
)

DEMO_KB = sorted((Path(__file__).resolve().parents[2] / "ai_enrichment" / "demo_kb").glob("*.md"))


def tiny_pdf(*page_texts: str, title: str | None = None) -> bytes:
    """A minimal PDF with one line of Helvetica text per page, written by hand because pypdf's writer
    cannot lay out text (a blank page from `PdfWriter.add_blank_page()` has none to extract)."""
    pages_first = 5 if title else 4  # after the catalog, page tree, font and (if any) info
    kids = " ".join(f"{pages_first + 2 * i} 0 R" for i in range(len(page_texts)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(page_texts)} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title:
        objects.append(f"<< /Title ({title}) >>")
    for i, text in enumerate(page_texts):
        stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {pages_first + 2 * i + 1} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    pdf += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    info = " /Info 4 0 R" if title else ""
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return pdf


def words(text: str) -> list[str]:
    return text.split()


def shared_words(before: str, after: str) -> int:
    """How many words at the start of `after` repeat the end of `before`."""
    a, b = words(before), words(after)
    return max((n for n in range(1, min(len(a), len(b)) + 1) if a[-n:] == b[:n]), default=0)


def numbered_sentences(count: int, *, words_each: int = 10) -> str:
    """Sentences made of unique words, so any repetition in the chunks is overlap and nothing else."""
    return " ".join(" ".join(f"s{i}w{j}" for j in range(words_each - 1)) + f" s{i}end." for i in range(count))


# Markdown


ARTICLE = b"""# Refund policy

We want billing to be fair.

## Annual plans

You can ask for a **full refund** within *14 days*. See [billing help](https://help.example.com/billing).

### Exceptions

Payroll add-ons follow the plan.

## Monthly plans

```bash
# not a heading
curl https://api.example.com
```

- first item
- second item

| Plan | Refund |
|------|--------|
| Monthly | None |
"""


def test_markdown_title_is_the_first_h1_and_deeper_headings_build_the_path():
    document = parse_document(name="refund-policy.md", content=ARTICLE)

    assert document.title == "Refund policy"
    assert document.kind == "markdown"
    assert [section.heading_path for section in document.sections] == [
        (),
        ("Annual plans",),
        ("Annual plans", "Exceptions"),
        ("Monthly plans",),
    ]


def test_markdown_headings_inside_fenced_code_are_kept_as_text_not_structure():
    monthly = parse_document(name="refund-policy.md", content=ARTICLE).sections[-1]

    assert monthly.heading_path == ("Monthly plans",)
    assert "# not a heading\ncurl https://api.example.com" in monthly.text
    assert "```" not in monthly.text


def test_markdown_emphasis_is_dropped_and_links_keep_their_text_and_address():
    annual = parse_document(name="refund-policy.md", content=ARTICLE).sections[1]

    assert annual.text == (
        "You can ask for a full refund within 14 days. See billing help (https://help.example.com/billing)."
    )


def test_markdown_lists_and_tables_are_kept_as_lines_of_text():
    monthly = parse_document(name="refund-policy.md", content=ARTICLE).sections[-1]

    assert "- first item\n- second item" in monthly.text
    assert "Plan | Refund\nMonthly | None" in monthly.text
    assert "---" not in monthly.text


def test_markdown_wrapped_lines_are_joined_into_one_paragraph():
    document = parse_document(name="a.md", content=b"# A\n\nOne sentence\nwrapped here.\n\nNext paragraph.\n")

    assert document.sections[0].text == "One sentence wrapped here.\n\nNext paragraph."


def test_markdown_without_an_h1_takes_a_prettified_file_name_as_title():
    document = parse_document(name="kb/how-to_reset-password.markdown", content=b"## Steps\n\nClick reset.\n")

    assert document.title == "How to reset password"
    assert document.sections == [Section(heading_path=("Steps",), text="Click reset.")]


def test_a_byte_order_mark_and_windows_newlines_are_normalised():
    document = parse_document(name="a.md", content="\ufeff# Title\r\n\r\nBody line.\r\n".encode())

    assert document.title == "Title"
    assert document.sections == [Section(heading_path=(), text="Body line.")]


# HTML


PAGE = b"""<!doctype html>
<html><head><title>Refund policy | Help centre</title><style>p { color: red }</style></head>
<body>
<nav><a href="/">Home</a> <a href="/billing">Billing</a></nav>
<h1>Refund policy</h1>
<p>We want billing to be <strong>fair</strong>.</p>
<script>trackPageView("refund")</script>
<h2>Annual plans</h2>
<p>Full refund within 14 days.</p>
<h3>Exceptions</h3>
<ul><li>Payroll add-ons</li><li>Gift cards</li></ul>
<h2>Prices</h2>
<table><tr><th>Plan</th><th>Price</th></tr><tr><td>Starter</td><td>&pound;10</td></tr></table>
<!-- a comment -->
</body></html>
"""


def test_html_headings_build_the_path_under_the_h1_title():
    document = parse_document(name="refund.html", content=PAGE)

    assert document.title == "Refund policy"
    assert document.kind == "html"
    assert [section.heading_path for section in document.sections] == [
        (),
        ("Annual plans",),
        ("Annual plans", "Exceptions"),
        ("Prices",),
    ]


def test_html_scripts_styles_navigation_and_comments_are_dropped():
    text = "\n".join(section.text for section in parse_document(name="refund.htm", content=PAGE).sections)

    assert "We want billing to be fair." in text
    for unwanted in ("trackPageView", "color: red", "Home", "a comment", "Help centre"):
        assert unwanted not in text


def test_html_list_items_and_table_cells_become_text():
    sections = parse_document(name="refund.html", content=PAGE).sections

    assert sections[2].text == "Payroll add-ons\n\nGift cards"
    assert sections[3].text == "Plan | Price\n\nStarter | £10"


def test_html_without_an_h1_takes_its_title_from_the_title_tag():
    document = parse_document(name="x.html", content=b"<title>Webhooks</title><p>Signed with HMAC.</p>")

    assert document.title == "Webhooks"
    assert document.sections == [Section(heading_path=(), text="Signed with HMAC.")]


# Plain text and PDF


def test_plain_text_title_is_its_first_short_line_and_paragraphs_split_on_blank_lines():
    content = (
        b"Support hours\n\nWe answer from 9 to 5,\nMonday to Friday.\n\n\nCall us on weekends for outages.\n"
    )

    document = parse_document(name="hours.txt", content=content)

    assert document.title == "Support hours"
    assert document.kind == "text"
    assert document.sections == [
        Section(
            heading_path=(),
            text="We answer from 9 to 5, Monday to Friday.\n\nCall us on weekends for outages.",
        )
    ]


def test_plain_text_with_a_long_first_line_takes_its_title_from_the_file_name():
    first_line = "This opening line is a whole sentence that is far too long to be the title of a document."

    document = parse_document(name="support-hours.txt", content=f"{first_line}\n\nMore.".encode())

    assert document.title == "Support hours"
    assert document.sections[0].text.startswith(first_line)


def test_pdf_text_is_extracted_page_by_page_with_its_title_from_the_metadata():
    document = parse_document(
        name="policy.pdf", content=tiny_pdf("Hello refund policy", "Annual plans", title="Refunds")
    )

    assert document.title == "Refunds"
    assert document.kind == "pdf"
    assert document.sections == [
        Section(heading_path=("Page 1",), text="Hello refund policy"),
        Section(heading_path=("Page 2",), text="Annual plans"),
    ]


def test_pdf_without_a_title_in_its_metadata_takes_it_from_the_file_name():
    document = parse_document(name="refund_policy.pdf", content=tiny_pdf("Hello refund policy"))

    assert document.title == "Refund policy"
    assert document.sections == [Section(heading_path=("Page 1",), text="Hello refund policy")]


def test_a_damaged_pdf_is_rejected_with_a_value_error():
    with pytest.raises(ValueError, match="not a readable PDF"):
        parse_document(name="broken.pdf", content=b"%PDF-1.4 this is not really a pdf")


def test_an_unknown_extension_is_rejected_naming_the_supported_ones():
    with pytest.raises(ValueError, match=r"\.md, \.markdown, \.html, \.htm, \.txt, \.pdf"):
        parse_document(name="policy.docx", content=b"PK")


def test_text_that_is_not_utf8_is_rejected_with_a_clear_error():
    with pytest.raises(ValueError, match="'legacy.txt': it is not UTF-8 text"):
        parse_document(name="legacy.txt", content="Café prices".encode("latin-1"))


def test_content_hash_is_the_sha256_of_the_bytes_so_unchanged_files_can_be_skipped():
    assert content_hash(ARTICLE) == hashlib.sha256(ARTICLE).hexdigest()
    assert content_hash(ARTICLE) == content_hash(bytes(ARTICLE))
    assert content_hash(ARTICLE) != content_hash(ARTICLE + b" ")


# Chunking


def test_tokens_are_estimated_as_words_times_one_point_three_rounded_up():
    assert estimate_tokens("") == 0
    assert estimate_tokens("one") == 2
    assert estimate_tokens(" ".join(["word"] * 10)) == 13


def test_short_paragraphs_of_one_section_are_packed_into_one_chunk():
    section = Section(heading_path=("Annual plans",), text="First paragraph.\n\nSecond paragraph.")

    assert chunk_sections([section]) == [
        Chunk(position=0, heading_path=("Annual plans",), text="First paragraph.\n\nSecond paragraph.")
    ]


def test_sections_are_never_mixed_and_empty_sections_make_no_chunk():
    sections = [
        Section(heading_path=("A",), text="Alpha."),
        Section(heading_path=("B",), text="  \n\n "),
        Section(heading_path=("C",), text="Gamma."),
    ]

    chunks = chunk_sections(sections)

    assert [(chunk.heading_path, chunk.text) for chunk in chunks] == [(("A",), "Alpha."), (("C",), "Gamma.")]


def test_no_chunk_exceeds_max_tokens_and_positions_run_from_zero():
    sections = [
        Section(heading_path=("Long",), text=numbered_sentences(60)),
        Section(heading_path=("Paragraphs",), text="\n\n".join(numbered_sentences(3) for _ in range(20))),
        Section(heading_path=("Short",), text="Just this."),
    ]

    chunks = chunk_sections(sections, max_tokens=100, overlap_tokens=20)

    assert [chunk.position for chunk in chunks] == list(range(len(chunks)))
    assert max(estimate_tokens(chunk.text) for chunk in chunks) <= 100
    assert chunks[-1].text == "Just this."


def test_a_long_paragraph_is_cut_at_sentence_ends():
    chunks = chunk_sections([Section(heading_path=(), text=numbered_sentences(30))], max_tokens=60)

    assert len(chunks) > 1
    for chunk in chunks:
        assert re.match(r"s\d+w0 ", chunk.text), chunk.text
        assert chunk.text.endswith("end."), chunk.text


def test_a_long_list_is_cut_between_its_items():
    items = "\n".join(f"- item {i} " + " ".join(f"i{i}w{j}" for j in range(12)) for i in range(20))

    chunks = chunk_sections([Section(heading_path=(), text=items)], max_tokens=80, overlap_tokens=20)

    assert len(chunks) > 1
    for chunk in chunks:
        assert all(line.startswith("- item ") for line in chunk.text.split("\n")), chunk.text


def test_a_sentence_longer_than_the_limit_is_cut_between_words():
    sentence = " ".join(f"w{i}" for i in range(300)) + "."

    chunks = chunk_sections([Section(heading_path=(), text=sentence)], max_tokens=50, overlap_tokens=10)

    assert len(chunks) > 1
    assert all(estimate_tokens(chunk.text) <= 50 for chunk in chunks)
    assert words(chunks[-1].text)[-1] == "w299."


def test_consecutive_chunks_of_a_long_section_overlap_by_about_overlap_tokens():
    chunks = chunk_sections([Section(heading_path=(), text=numbered_sentences(40))], max_tokens=100)

    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        shared = " ".join(words(after.text)[: shared_words(before.text, after.text)])
        assert 10 <= estimate_tokens(shared) <= 30, (before.text, after.text)


def test_overlap_never_crosses_from_one_section_into_the_next():
    sections = [Section(heading_path=(name,), text=numbered_sentences(5)) for name in ("A", "B")]

    chunks = chunk_sections(sections, max_tokens=40)

    boundary = next(i for i, chunk in enumerate(chunks) if chunk.heading_path == ("B",))
    assert shared_words(chunks[boundary - 1].text, chunks[boundary].text) == 0


def test_every_word_is_kept_and_without_overlap_the_chunks_are_the_text_cut_up():
    text = "\n\n".join(numbered_sentences(n, words_each=7) for n in (2, 25, 1, 9))

    chunks = chunk_sections([Section(heading_path=(), text=text)], max_tokens=70, overlap_tokens=0)

    assert [word for chunk in chunks for word in words(chunk.text)] == words(text)


def test_every_word_is_kept_with_overlap_too():
    text = "\n\n".join(numbered_sentences(n, words_each=7) for n in (2, 25, 1, 9))

    chunks = chunk_sections([Section(heading_path=(), text=text)], max_tokens=70, overlap_tokens=20)

    rebuilt = words(chunks[0].text)
    for before, after in zip(chunks, chunks[1:], strict=False):
        rebuilt += words(after.text)[shared_words(before.text, after.text) :]
    assert rebuilt == words(text)


def test_an_overlap_as_large_as_the_limit_is_rejected():
    with pytest.raises(ValueError, match="overlap_tokens < max_tokens"):
        chunk_sections([], max_tokens=30, overlap_tokens=30)


# The real knowledge base


@pytest.mark.parametrize("path", DEMO_KB, ids=lambda path: path.stem)
def test_every_demo_article_chunks_under_its_own_title_within_the_limit(path):
    content = path.read_bytes()
    heading = content.decode().split("\n", 1)[0].removeprefix("# ")

    document = parse_document(name=path.name, content=content)
    chunks = chunk_sections(document.sections)

    assert document.title == heading
    assert chunks
    assert max(estimate_tokens(chunk.text) for chunk in chunks) <= 180
    assert all(document.title not in chunk.heading_path for chunk in chunks)


def test_the_demo_knowledge_base_is_all_there():
    assert len(DEMO_KB) >= 30
