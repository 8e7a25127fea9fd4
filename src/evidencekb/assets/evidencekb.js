// Keyboard access to tables that scroll sideways (WCAG 2.1.1): the theme wraps every table in a
// scrolling box; each box whose table is wider than the column gets a tab stop and a name, so arrow keys
// scroll it. Runs after the theme has wrapped the tables of each page it shows.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute("tabindex")) return;
    var caption = wrap.querySelector("caption");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") + " (scrolls sideways)");
  });
});
