"""Saved web pages as structured blocks, keeping the article and dropping the site around it.

Council and government pages wrap a few paragraphs of guidance in menus, cookie banners,
breadcrumbs and share buttons. Indexing that furniture would make every page match
"cookies" and "contact us", so it goes before any text is read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from cpguide.records import Block, RawDocument

from . import collapse_whitespace

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "nav", "aside", "button",
    "iframe", "object", "embed", "canvas", "select", "input", "textarea", "dialog", "link", "meta",
})
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar", "complementary"})
# Words in id/class/aria-label that mark page furniture rather than content. Strong words
# name furniture outright; weak ones also name content ("share your views"), so they only
# count on short elements. Neither removes a long element: that is content with an odd class.
_STRONG_WORDS = frozenset({
    "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs", "skiplink", "skiplinks", "skipnav",
    "consent", "gdpr", "cookie", "cookies", "cookiebanner", "cookieconsent",
})
_STRONG_PREFIXES = ("cookie", "breadcrumb", "consent", "skiplink", "skipto")
_WEAK_WORDS = frozenset({
    "menu", "menus", "megamenu", "submenu", "skip", "share", "sharing", "sharebar", "socialshare",
    "social", "socialmedia",
})
_STRONG_MAX_CHARS = 1500
_WEAK_MAX_CHARS = 400
_KEEP_ALWAYS = frozenset({"html", "body", "main", "article"})

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements that start a new block; anything else is inline and joins the text around it.
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_LINE_BREAKS = frozenset({"br", "hr", "wbr"})


def load_html(path: Path) -> RawDocument:
    """Blocks from the page's main content, in reading order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_html(path.read_bytes()), "lxml")
    title_tag = soup.find("title")
    page_title = collapse_whitespace(title_tag.get_text()) if title_tag else ""
    root = _content_root(soup)
    _strip_furniture(root)
    blocks = tuple(_blocks(root))
    first_h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    if not first_h1:
        h1 = soup.find("h1")
        first_h1 = collapse_whitespace(h1.get_text(" ")) if h1 else ""
    return RawDocument(
        path=str(path),
        format="html",
        blocks=blocks,
        title_hint=_title(page_title, first_h1),
    )


def decode_html(data: bytes) -> str:
    """Decode as the page says it is encoded; saved pages often lie, so fall back gracefully.

    One lie is common enough to catch: a page re-saved as UTF-8 that still declares a
    single-byte charset. Non-ASCII text that happens to be valid UTF-8 is almost never
    anything else, so UTF-8 wins over a declared single-byte charset in that case.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    declared = _declared_charset(data[:4096])
    candidates = [declared] if declared else []
    if declared and _single_byte(declared) and not data.isascii():
        candidates.insert(0, "utf-8")
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


def _single_byte(encoding: str) -> bool:
    if encoding.startswith("utf"):
        return False
    high = bytes(range(0x80, 0x100))
    return len(high.decode(encoding, errors="replace")) == len(high)


def _declared_charset(head: bytes) -> str | None:
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", head, re.IGNORECASE)
    if not match:
        match = re.search(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", head, re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers read pages labelled Latin-1 or ASCII as Windows-1252, and so do their authors.
    if name in {"latin-1", "iso8859-1", "ascii"}:
        return "cp1252"
    # A page that says UTF-16 but has no BOM was almost certainly re-saved as something else.
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return None
    return name


def _content_root(soup):
    """The element that holds the page's own content: <main>, a lone <article>, or <body>."""
    for main in soup.find_all("main"):
        if not main.has_attr("hidden"):
            return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    role_main = soup.find(attrs={"role": "main"})
    if role_main is not None:
        return role_main
    return soup.body or soup


def _strip_furniture(root) -> None:
    """Remove furniture in one pass from the top, never looking inside what is removed."""
    from bs4 import Tag

    sectioning = {"article", "section", "main"}
    inside = root.name in sectioning or root.find_parent(list(sectioning)) is not None
    stack = [(child, inside) for child in root.children if isinstance(child, Tag)]
    while stack:
        tag, in_section = stack.pop()
        if _is_furniture(tag, in_section):
            tag.decompose()
        else:
            in_section = in_section or tag.name in sectioning
            stack.extend((child, in_section) for child in tag.children if isinstance(child, Tag))


def _is_furniture(tag, in_section: bool) -> bool:
    name = tag.name
    if name in _DROP_TAGS:
        return True
    if name in _KEEP_ALWAYS:
        return False
    if str(tag.get("role", "")).lower() in _DROP_ROLES:
        return True
    # A header inside an article or section introduces it (and may hold its h1);
    # one hanging off the page itself is the site banner or footer.
    if name in ("header", "footer") and not in_section:
        return True
    if name == "a" and _is_skip_link(tag):
        return True
    # Forms are search boxes and feedback widgets, except on ASP.NET sites where one
    # <form> wraps the whole page: so a form goes only when it is small.
    strength = "strong" if name == "form" else _furniture_signal(tag)
    if not strength or tag.find(["h1", "main", "article"]) is not None:
        return False
    limit = _STRONG_MAX_CHARS if strength == "strong" else _WEAK_MAX_CHARS
    return len(collapse_whitespace(tag.get_text(" "))) <= limit


def _is_skip_link(tag) -> bool:
    """"Skip to main content" links for keyboard users, whatever their class."""
    return str(tag.get("href", "")).startswith("#") and bool(
        re.match(r"\s*skip\s+(to|navigation|nav)\b", tag.get_text(" "), re.IGNORECASE)
    )


def _furniture_signal(tag) -> str:
    """"strong", "weak" or "" for how surely id/class/aria-label mark an element as furniture."""
    values = [tag.get("id", ""), tag.get("aria-label", ""), *(tag.get("class") or [])]
    found = ""
    for value in values:
        value = " ".join(value) if isinstance(value, list) else str(value)
        # "skip-to-content", "cookie_banner": also test the run-together form.
        if re.sub(r"[^a-z]", "", value.lower()).startswith(_STRONG_PREFIXES):
            return "strong"
        for word in _words(value):
            if word in _STRONG_WORDS or word.startswith(_STRONG_PREFIXES):
                return "strong"
            if word in _WEAK_WORDS:
                found = "weak"
    return found


def _words(value: str) -> list[str]:
    value = re.sub(r"([a-z])([A-Z])", r"\1 \2", value)  # camelCase -> camel Case
    return [w for w in re.split(r"[^a-z0-9]+", value.lower()) if w]


def _blocks(root) -> Iterator[Block]:
    """Walk the tree in document order, gathering loose inline text into paragraphs.

    Text between two block boundaries (a block element starting or ending) is one
    paragraph, so bare text in a div is kept once and never merged with its neighbours.
    The walk uses its own stack: some generated pages nest deeper than Python recursion.
    """
    from bs4 import NavigableString, Tag

    run: list[str] = []

    def flush() -> Iterator[Block]:
        text = collapse_whitespace("".join(run))
        run.clear()
        if text:
            yield Block(text=text, kind="paragraph")

    stack: list = [_BLOCK_END, *reversed(list(root.children))]
    while stack:
        node = stack.pop()
        if node is _BLOCK_END:
            yield from flush()
            continue
        if isinstance(node, NavigableString):
            if _is_text(node):
                run.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in _LINE_BREAKS:
            run.append(" ")
            continue
        if name not in _BLOCK_TAGS and not _holds_blocks(node):
            run.append(_text(node))
            continue
        yield from flush()
        if name in _HEADINGS:
            text = collapse_whitespace(_text(node))
            if text:
                yield Block(text=text, kind="heading", level=_HEADINGS[name])
        elif name in ("p", "pre"):
            text = collapse_whitespace(_text(node))
            if text:
                yield Block(text=text, kind="paragraph")
        elif name == "li":
            text = collapse_whitespace(_text(node, skip=frozenset({"ul", "ol"})))
            if text:
                yield Block(text=text, kind="list_item")
            nested = [n for n in node.find_all(["ul", "ol"]) if n.find_parent(["ul", "ol", "li"]) is node]
            stack.extend(reversed(nested))
        elif name == "table" and not _is_layout_table(node):
            yield from _table(node)
        elif name != "hr":
            stack.append(_BLOCK_END)
            stack.extend(reversed(list(node.children)))


_BLOCK_END = object()


def _table(table) -> Iterator[Block]:
    caption = table.find("caption")
    if caption is not None:
        text = collapse_whitespace(_text(caption))
        if text:
            yield Block(text=text, kind="paragraph")
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # rows of a nested table belong to its cell's text
        cells = [collapse_whitespace(_text(cell)) for cell in row.find_all(["td", "th"], recursive=False)]
        cells = [c for c in cells if c]
        if cells:
            yield Block(text=" | ".join(cells), kind="table")


def _is_layout_table(table) -> bool:
    """Old sites lay pages out with tables; their cells hold headings and paragraphs, not data."""
    if str(table.get("role", "")).lower() in {"presentation", "none"}:
        return True
    return table.find(["h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"]) is not None or len(
        table.find_all("p")
    ) > 2 * max(1, len(table.find_all("tr")))


def _holds_blocks(tag) -> bool:
    return tag.find(lambda t: t.name in _BLOCK_TAGS) is not None


def _text(tag, skip: frozenset[str] = frozenset()) -> str:
    """Text of an element, with a space wherever a block or line break separated words."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []
    stack = [tag]
    while stack:
        node = stack.pop()
        if isinstance(node, str):  # a text node or a separator pushed below
            parts.append(str(node))
            continue
        for child in reversed(list(node.children)):
            if isinstance(child, NavigableString):
                if _is_text(child):
                    stack.append(child)
            elif isinstance(child, Tag):
                if child.name in skip:
                    continue
                if child.name in _LINE_BREAKS:
                    stack.append(" ")
                elif child.name in _BLOCK_TAGS:
                    stack.extend((" ", child, " "))
                else:
                    stack.append(child)
    return "".join(parts)


def _is_text(node) -> bool:
    from bs4 import Comment, Declaration, Doctype, ProcessingInstruction

    return not isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction))


def _title(page_title: str, first_h1: str) -> str:
    """The page's <title> without the " - Site name" tail, or its first heading."""
    if not page_title:
        return first_h1
    if first_h1:
        wanted = first_h1.casefold()
        for sep in re.finditer(r"\s+[-|–—]\s+", page_title):
            head = page_title[: sep.start()].strip()
            if head.casefold() == wanted:
                return head
    return page_title
