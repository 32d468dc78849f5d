"""Turn knowledge-base files into small chunks that know where they came from.

Why structure first: a help-centre article answers several questions, one per heading. We split at
headings first and only then at paragraphs, so a rule such as "you can ask for a full refund within 14
days" stays together with the heading that says what it applies to, and every chunk carries its heading
path ("Refund policy" › "Annual plans"). A chunk never spans two sections.

Why small: chunks are embedded with all-MiniLM-L6-v2, which silently drops everything after 256
word-pieces; text past that point would be searchable by keyword but invisible to semantic search. We
have no tokenizer dependency, so sizes are estimated (`estimate_tokens`), and the default limit of 180
leaves room for the estimate's error and for a title or heading prefix at embedding time.

Why overlap: when a section needs several chunks, the last sentences of one chunk are repeated at the
start of the next, so a passage cut at a chunk boundary can still be found whole in one chunk.

Inputs: Markdown, HTML and plain text (UTF-8), and PDF (its text layer only: scanned pages yield
nothing). Pure Python, no database: the caller stores chunks and uses `content_hash` to skip unchanged
files.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from pypdf import PdfReader

PARSERS_BY_EXTENSION = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".pdf": "pdf",
}

# The word-piece tokenizer of all-MiniLM-L6-v2 makes about 1.3 pieces of an average English word
# (common words are one piece; names, numbers and URLs are several).
TOKENS_PER_WORD = 1.3

# A first line of a .txt file this short or shorter is taken to be its title.
TEXT_TITLE_MAX_CHARS = 80


@dataclass(frozen=True)
class Section:
    """The text under one heading. Paragraphs are separated by a blank line."""

    heading_path: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Chunk:
    """One piece of a document to embed and index; `position` counts from 0 across the document."""

    position: int
    heading_path: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class ParsedDocument:
    title: str
    kind: str  # "markdown" | "html" | "text" | "pdf"
    sections: list[Section]


def content_hash(content: bytes) -> str:
    """The sha256 of a file's bytes: re-ingesting a file with the same hash changes nothing."""
    return hashlib.sha256(content).hexdigest()


def estimate_tokens(text: str) -> int:
    """Estimated word-pieces in `text`: whitespace-separated words × TOKENS_PER_WORD, rounded up."""
    # round() first, so that float noise (10 × 1.3 = 13.000000000000002) does not round 13 up to 14.
    return math.ceil(round(len(text.split()) * TOKENS_PER_WORD, 6))


# Parsing


def parse_document(*, name: str, content: bytes) -> ParsedDocument:
    """Parse a file into a title and sections, choosing the parser by the extension of `name`.

    Raises ValueError for an unsupported extension, text that is not UTF-8, or an unreadable PDF.
    """
    kind = PARSERS_BY_EXTENSION.get(PurePath(name).suffix.lower())
    if kind is None:
        supported = ", ".join(PARSERS_BY_EXTENSION)
        raise ValueError(f"Cannot ingest {name!r}: unsupported file type. Supported: {supported}.")
    fallback_title = _title_from_file_name(name)
    if kind == "pdf":
        return _parse_pdf(content, name=name, fallback_title=fallback_title)
    text = _decode(content, name=name)
    if kind == "markdown":
        title, sections = _parse_markdown(text)
    elif kind == "html":
        title, sections = _parse_html(text)
    else:
        title, sections = _parse_text(text)
    return ParsedDocument(title=title or fallback_title, kind=kind, sections=sections)


def _decode(content: bytes, *, name: str) -> str:
    try:
        text = content.decode("utf-8-sig")  # -sig: drops a byte-order mark if there is one
    except UnicodeDecodeError as error:
        raise ValueError(
            f"Cannot ingest {name!r}: it is not UTF-8 text (invalid byte at offset {error.start}). "
            "Save it as UTF-8 and upload it again."
        ) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _title_from_file_name(name: str) -> str:
    """'refund-policy.md' → 'Refund policy'."""
    words = re.sub(r"[-_\s]+", " ", PurePath(name).stem).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


class _SectionBuilder:
    """Collects paragraphs under the current heading path; a heading closes the section before it."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._headings: list[tuple[int, str]] = []  # (level, text) from the outermost heading inwards
        self._paragraphs: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self._close_section()
        self._headings = [(lvl, txt) for lvl, txt in self._headings if lvl < level] + [(level, text)]

    def paragraph(self, text: str) -> None:
        if text.strip():
            self._paragraphs.append(text.strip())

    def finish(self) -> list[Section]:
        self._close_section()
        return self.sections

    def _close_section(self) -> None:
        # A heading with nothing under it makes no section: its text lives on in its subsections' paths.
        if self._paragraphs:
            path = tuple(text for _, text in self._headings)
            self.sections.append(Section(heading_path=path, text="\n\n".join(self._paragraphs)))
        self._paragraphs = []


_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def _join_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines into one line each, keeping list items on lines of their own."""
    joined: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        if not line:
            continue
        if joined and not _LIST_ITEM.match(line):
            joined[-1] += " " + line
        else:
            joined.append(line)
    return "\n".join(joined)


# Markdown

_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_TABLE_DIVIDER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")  # |---|:--:|
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_MD_EMPHASIS = re.compile(r"(?<!\w)(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_MD_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _parse_markdown(text: str) -> tuple[str | None, list[Section]]:
    """The first `# ` heading is the title; `##`…`######` (and any later `#`) build the heading path."""
    builder = _SectionBuilder()
    title: str | None = None
    block: list[str] = []  # the lines of the current paragraph, list or table
    fence: str | None = None  # the opening fence while inside a fenced code block
    code: list[str] = []

    def end_block() -> None:
        builder.paragraph("\n".join(block))
        block.clear()

    for line in text.split("\n"):
        if fence is not None:
            # Inside a code block nothing is structure: a `# comment` line is code, not a heading.
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                builder.paragraph("\n".join(code))
                code, fence = [], None
            else:
                code.append(line.rstrip())
            continue
        if match := _MD_FENCE.match(line):
            end_block()
            fence = match.group(1)
        elif match := _MD_HEADING.match(line):
            end_block()
            heading = _md_inline(match.group(2))
            if heading and title is None and len(match.group(1)) == 1:
                title = heading
            elif heading:
                builder.heading(len(match.group(1)), heading)
        elif not line.strip():
            end_block()
        elif _MD_RULE.match(line) or _MD_TABLE_DIVIDER.match(line):
            continue
        else:
            line = re.sub(r"^\s*(?:>\s?)+", "", line).strip()  # a quote's text is plain text here
            if line.startswith("|"):
                cells = [_md_inline(cell) for cell in line.strip("|").split("|")]
                block.append(" | ".join(cell for cell in cells if cell))
            elif block and not _LIST_ITEM.match(line):
                block[-1] += " " + _md_inline(line)  # a wrapped line continues the one before
            else:
                block.append(_md_inline(line))
    end_block()
    builder.paragraph("\n".join(code))  # an unclosed fence runs to the end of the file
    return title, builder.finish()


def _md_inline(text: str) -> str:
    """Drop emphasis and code marks and keep link targets: '[help](https://x)' → 'help (https://x)'."""
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(_md_link, text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_CODE_SPAN.sub(r"\2", text)
    return " ".join(text.split())


def _md_link(match: re.Match[str]) -> str:
    text, url = match.group(1), match.group(2)
    return text if text == url or not url else f"{text} ({url})"


# HTML

_HTML_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that start a new paragraph; everything else (a, strong, span, …) is part of the running text.
_HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "ol", "p", "section",
    "summary", "table", "tbody", "tfoot", "thead", "ul",
}  # fmt: skip
_HTML_DROPPED = ["script", "style", "nav", "noscript", "template", "iframe", "svg"]


def _parse_html(text: str) -> tuple[str | None, list[Section]]:
    """The first <h1> (else <title>) is the title; headings build the heading path."""
    soup = BeautifulSoup(text, "html.parser")
    for element in soup.find_all(_HTML_DROPPED):
        element.decompose()
    h1, title_tag = soup.find("h1"), soup.find("title")
    title = " ".join((h1 or title_tag).get_text(" ").split()) if (h1 or title_tag) else None
    if soup.head is not None:
        soup.head.decompose()  # <title> and <meta> are not body text
    elif title_tag is not None:
        title_tag.decompose()
    walker = _HtmlWalker(title_h1=h1)
    walker.walk(soup)
    walker.end_paragraph()
    return title or None, walker.builder.finish()


class _HtmlWalker:
    def __init__(self, *, title_h1: Tag | None) -> None:
        self.builder = _SectionBuilder()
        self._title_h1 = title_h1
        self._inline: list[str] = []

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self._inline.append(re.sub(r"\s+", " ", child))  # source line breaks are just spaces
            elif not isinstance(child, Tag):
                continue
            elif child.name in _HTML_HEADINGS:
                self.end_paragraph()
                heading = " ".join(child.get_text(" ").split())
                if heading and child is not self._title_h1:  # the title is not repeated in the path
                    self.builder.heading(_HTML_HEADINGS[child.name], heading)
            elif child.name == "br":
                self._inline.append("\n")
            elif child.name == "tr":
                self.end_paragraph()
                cells = [" ".join(cell.get_text(" ").split()) for cell in child.find_all(["td", "th"])]
                self.builder.paragraph(" | ".join(cell for cell in cells if cell))
            elif child.name == "pre":
                self.end_paragraph()
                self.builder.paragraph(child.get_text().strip("\n"))
            elif child.name in _HTML_BLOCKS:
                self.end_paragraph()
                self.walk(child)
                self.end_paragraph()
            else:
                self.walk(child)

    def end_paragraph(self) -> None:
        lines = ("".join(self._inline)).split("\n")
        self.builder.paragraph("\n".join(" ".join(line.split()) for line in lines if line.strip()))
        self._inline = []


# Plain text and PDF


def _parse_text(text: str) -> tuple[str | None, list[Section]]:
    """One section; the first non-empty line is the title if it is short."""
    lines = text.strip().split("\n")
    title = " ".join(lines[0].split()) if lines and lines[0].strip() else None
    if title and len(title) <= TEXT_TITLE_MAX_CHARS and "\n".join(lines[1:]).strip():
        lines = lines[1:]
    else:
        title = None
    return title, _plain_sections("\n".join(lines), heading_path=())


def _plain_sections(text: str, *, heading_path: tuple[str, ...]) -> list[Section]:
    paragraphs = [_join_lines(block.split("\n")) for block in re.split(r"\n\s*\n", text)]
    text = "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
    return [Section(heading_path=heading_path, text=text)] if text else []


def _parse_pdf(content: bytes, *, name: str, fallback_title: str) -> ParsedDocument:
    """One section per page with text, headed ("Page N",); the title comes from the metadata."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            reader.decrypt("")  # many "protected" PDFs only restrict printing and open with no password
        metadata_title = (reader.metadata.title if reader.metadata else None) or ""
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as error:  # pypdf raises many types for a damaged file; all mean "cannot read it"
        raise ValueError(f"Cannot ingest {name!r}: it is not a readable PDF ({error}).") from error
    sections: list[Section] = []
    for number, page_text in enumerate(pages, start=1):
        page_text = page_text.replace("\r\n", "\n").replace("\r", "\n")
        sections += _plain_sections(page_text, heading_path=(f"Page {number}",))
    title = " ".join(str(metadata_title).split()) or fallback_title
    return ParsedDocument(title=title, kind="pdf", sections=sections)


# Chunking


@dataclass(frozen=True)
class _Piece:
    """A run of text packed as a unit: a whole paragraph, a line, a sentence or a window of words."""

    text: str
    paragraph: int  # pieces of the same paragraph are joined by `joiner`, of different ones by a blank line
    joiner: str  # " " or "\n": what stood before this piece inside its paragraph

    @property
    def words(self) -> int:
        return len(self.text.split())


# Inside a paragraph a line break separates list items or table rows: the first place to cut. Then a
# sentence end: . ! ? (perhaps with a closing quote or bracket) and whitespace. Abbreviations such as
# "e.g." count as sentence ends too; that only adds a possible cut, it never loses text.
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'”’)\]])\s+")


def chunk_sections(
    sections: Iterable[Section], *, max_tokens: int = 180, overlap_tokens: int = 30
) -> list[Chunk]:
    """Split sections into chunks of at most `max_tokens` estimated tokens (see `estimate_tokens`).

    Whole paragraphs of one section are packed into a chunk while they fit. A paragraph that does not
    fit on its own is cut between its lines (list items, table rows), then at sentence ends, then, for
    a sentence that alone is too long, between words. The next chunk of the same section starts with
    the last lines or sentences of the previous one, up to `overlap_tokens` (or its last words, if its
    last sentence alone is longer). Sections are never mixed and empty sections make no chunk.
    Positions run 0..n-1 over all the sections.
    """
    if max_tokens < 1 or not 0 <= overlap_tokens < max_tokens:
        raise ValueError("Need max_tokens >= 1 and 0 <= overlap_tokens < max_tokens.")
    max_words = max(1, _words_within(max_tokens))
    overlap_words = _words_within(overlap_tokens)
    chunks: list[Chunk] = []
    for section in sections:
        for text in _chunk_section(section.text, max_words=max_words, overlap_words=overlap_words):
            chunks.append(Chunk(position=len(chunks), heading_path=section.heading_path, text=text))
    return chunks


def _words_within(tokens: int) -> int:
    """The most words whose estimate stays within `tokens`."""
    return math.floor(round(tokens / TOKENS_PER_WORD, 6))


def _chunk_section(text: str, *, max_words: int, overlap_words: int) -> list[str]:
    # A sentence too long for a chunk is cut into windows that leave room for the overlap before each.
    window = max(1, max_words - overlap_words)
    pieces: list[_Piece] = []
    for index, paragraph in enumerate(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()):
        pieces += _fit(_Piece(paragraph, paragraph=index, joiner=" "), max_words=max_words, window=window)
    texts: list[str] = []
    current: list[_Piece] = []
    for piece in pieces:
        if current and sum(p.words for p in current) + piece.words > max_words:
            texts.append(_join(current))
            current = _overlap(current, max_words=min(overlap_words, max_words - piece.words))
        current.append(piece)
    if current:
        texts.append(_join(current))
    return texts


def _fit(piece: _Piece, *, max_words: int, window: int) -> list[_Piece]:
    """`piece` if it fits in `max_words`, else its lines, sentences or windows of words that do."""
    if piece.words <= max_words:
        return [piece]
    for boundary in (_LINE_BREAK, _SENTENCE_END):
        parts = _split(piece, boundary)
        if len(parts) > 1:
            return [fitting for part in parts for fitting in _fit(part, max_words=max_words, window=window)]
    words = piece.text.split()
    return [
        _Piece(
            " ".join(words[start : start + window]),
            paragraph=piece.paragraph,
            joiner=" " if start else piece.joiner,
        )
        for start in range(0, len(words), window)
    ]


def _split(piece: _Piece, boundary: re.Pattern[str]) -> list[_Piece]:
    parts: list[_Piece] = []
    joiner, start = piece.joiner, 0
    for match in boundary.finditer(piece.text):
        parts.append(_Piece(piece.text[start : match.start()], paragraph=piece.paragraph, joiner=joiner))
        joiner, start = ("\n" if "\n" in match.group() else " "), match.end()
    parts.append(_Piece(piece.text[start:], paragraph=piece.paragraph, joiner=joiner))
    return [part for part in parts if part.text.strip()]


def _overlap(pieces: list[_Piece], *, max_words: int) -> list[_Piece]:
    """The end of a chunk to repeat: its last whole lines, else sentences, else words, within max_words."""
    if max_words <= 0:
        return []
    lines = [line for piece in pieces for line in _split(piece, _LINE_BREAK)]
    sentences = _split(lines[-1], _SENTENCE_END)
    tail = _tail(lines, max_words=max_words) or _tail(sentences, max_words=max_words)
    if tail:
        return tail
    words = sentences[-1].text.split()[-max_words:]
    return [_Piece(" ".join(words), paragraph=sentences[-1].paragraph, joiner=" ")]


def _tail(units: list[_Piece], *, max_words: int) -> list[_Piece]:
    tail: list[_Piece] = []
    for unit in reversed(units):
        if sum(part.words for part in tail) + unit.words > max_words:
            break
        tail.insert(0, unit)
    return tail


def _join(pieces: list[_Piece]) -> str:
    parts = [pieces[0].text]
    for before, piece in zip(pieces, pieces[1:], strict=False):
        parts.append(piece.joiner if piece.paragraph == before.paragraph else "\n\n")
        parts.append(piece.text)
    return "".join(parts)
