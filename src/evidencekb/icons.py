"""The theme's inline icons in the frame of generated pages, replaced with references to one shared file.

mkdocs-material writes every icon of the header (logo, menu, palette toggle, search box) and of the
"back to top" button into each page as an inline SVG: ten icons, eight distinct, about 2.2 KB of every
trial page's frame (22 MB at 10,000 trials). Each becomes a ``<use>`` of its symbol in one file of icons
(``ICONS``), which the browser fetches once and caches; the icon looks the same, since its path keeps
the button's ``fill: currentcolor``. The article is left as it is (its figures are drawn by the site).

A symbol's id is a digest of its path, so a page written by an earlier build (``mkdocs serve --dirty``)
still finds its icons in the file written later: the file keeps every symbol it already had.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ICONS = "assets/evidencekb/icons.svg"
_INLINE = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="([^"<>]+)"/></svg>')
_SYMBOL = re.compile(r'<symbol id="(i[0-9a-f]+)" viewBox="0 0 24 24"><path d="([^"<>]+)"/></symbol>')
_ARTICLE = re.compile(r"<article\b.*?</article>", re.S)


class SharedIcons:
    """The icons met in the pages so far (id -> path), and each page with its frame's icons shared."""

    def __init__(self) -> None:
        self._paths: dict[str, str] = {}

    def page(self, html: str, icons_href: str) -> str:
        """The page with each inline icon outside its article replaced with a reference to ``icons_href``."""

        def shared(match: re.Match[str]) -> str:
            path = match.group(1)
            symbol = "i" + hashlib.blake2b(path.encode("ascii", "replace"), digest_size=4).hexdigest()
            self._paths[symbol] = path
            return f'<svg viewBox="0 0 24 24"><use href="{icons_href}#{symbol}"/></svg>'

        article = _ARTICLE.search(html)
        if article is None:
            return _INLINE.sub(shared, html)
        before, after = html[:article.start()], html[article.end():]
        return _INLINE.sub(shared, before) + article.group(0) + _INLINE.sub(shared, after)

    def write(self, site_dir: Path) -> None:
        """Write the file of icons into the site: the symbols already there and those met in this build."""
        target = site_dir / ICONS
        known = dict(_SYMBOL.findall(target.read_text(encoding="utf-8"))) if target.is_file() else {}
        symbols = {**known, **self._paths}
        if not symbols:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f'<symbol id="{s}" viewBox="0 0 24 24"><path d="{symbols[s]}"/></symbol>'
                       for s in sorted(symbols))
        target.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>\n', encoding="utf-8")
