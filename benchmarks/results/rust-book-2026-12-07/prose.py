"""Two texts no earlier clip has, as plain-prose paragraphs: the Rust book's chapters
(the HTML that rustup installs with the toolchain's docs), conversational tutorial
prose, and Sean M. Burke and Jordan Lachler's Perl Journal article on localisation
(`Locale::Maketext::TPJ13`, shipped with Perl), an essay. Code, lists and headings
are left out: a reference must be what the voice says."""
import html.parser
import re
from pathlib import Path

BOOK = Path.home() / ".rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html/book"
ARTICLE = Path("/usr/share/perl/5.36.0/Locale/Maketext/TPJ13.pod")


class _Paragraphs(html.parser.HTMLParser):
    """The text of each <p> in <main>, without those that hold code."""

    def __init__(self):
        super().__init__()
        self.found, self.current, self.depth, self.code = [], None, 0, False

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.current, self.code = [], False
        elif tag == "code" and self.current is not None:
            self.code = True

    def handle_endtag(self, tag):
        if tag == "p" and self.current is not None:
            if not self.code:
                self.found.append(" ".join("".join(self.current).split()))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def _plain(paragraph: str) -> bool:
    return len(paragraph.split()) >= 12 and re.fullmatch(r"[A-Za-z0-9 ,.;:'’?!()\"“”-]+", paragraph) is not None


def book() -> list[str]:
    found = []
    for page in sorted(BOOK.glob("ch[0-9][0-9]-*.html")):
        parser = _Paragraphs()
        parser.feed(page.read_text())
        found += [p.replace("’", "'").replace("“", '"').replace("”", '"') for p in parser.found if _plain(p)]
    return found


def article() -> list[str]:
    found = []
    for block in ARTICLE.read_text().split("\n\n"):
        if block.startswith(("=", " ", "\t", "#")):
            continue  # POD commands, verbatim code, comments
        text = " ".join(re.sub(r"[A-Z]<([^<>]*)>", r"\1", block).split())
        if _plain(text):
            found.append(text)
    return found


if __name__ == "__main__":
    for name, paragraphs in (("book", book()), ("article", article())):
        print(name, len(paragraphs), "paragraphs", sum(len(p.split()) for p in paragraphs), "words")
        print("  ", paragraphs[3][:200])
