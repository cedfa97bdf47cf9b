"""A text no earlier clip has: the GNU manuals' Info pages (coreutils, find, diffutils,
GnuPG, as Debian installs them in /usr/share/info), reference prose about commands and
their options, as plain-prose paragraphs. Examples (indented), menus, node headers and
the appended Free Documentation License are left out, and so is any paragraph with a
character the voice would say differently from the reference (slashes, dashes before
options, equals signs): a reference must be what the voice says."""
import gzip
import re
from pathlib import Path

INFO = Path("/usr/share/info")
LICENSE_NODES = ("GNU Free Documentation License", "Copying This Manual", "Copying")


def _plain(paragraph: str) -> bool:
    """Words and punctuation only: no option ("--ed", "-e"), which the voice says as
    "minus e", and no version number ("2.2.40")."""
    return (len(paragraph.split()) >= 12 and re.fullmatch(r"[A-Za-z0-9 ,.;:'?!()\"-]+", paragraph) is not None
            and re.search(r"(^|[\s'(\"])-|\d\.\d", paragraph) is None)


def manual(name: str) -> list[str]:
    """The plain paragraphs of one manual, every part of it in order. Info quotes a
    command's name as ‘ls’: the quotes go, the voice says the word."""
    text = "".join(gzip.open(part, "rt", errors="replace").read() for part in sorted(INFO.glob(f"{name}.info*.gz"),
                                                                                        key=lambda p: (len(p.name), p.name)))
    found = []
    for node in text.split("\x1f"):
        header = node.lstrip("\n").split("\n", 1)[0]
        if any(f"Node: {title}," in header or header.endswith(f"Node: {title}") for title in LICENSE_NODES):
            continue
        for block in re.sub(r"‘([^‘’]*)’", r"\1", node).replace("’", "'").split("\n\n"):
            lines = block.strip("\n").split("\n")
            if not block.strip() or any(line.startswith((" ", "*", "File:", "Tag Table", "=", "-")) for line in lines):
                continue
            paragraph = " ".join(block.split())
            if _plain(paragraph):
                found.append(paragraph)
    return found
