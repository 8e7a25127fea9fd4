// The theme's search box answered from Pagefind's chunked index (evidencekb.search_index): a page view
// loads nothing of the index until the box is focused, then Pagefind's small entry files, then per query
// only the fragments of the words typed and of the results shown. Results use the theme's markup (page,
// then the sections that match, each linking to its heading). Record text reaches the page as text only:
// titles through textContent, excerpts split at Pagefind's <mark> tags and each piece decoded as text.
(function () {
  var MAX_PAGES = 10;
  var MAX_SECTIONS = 4;
  var LEAD_FACTOR = 3;
  var input = document.querySelector(".md-search__input");
  var meta = document.querySelector(".md-search-result__meta");
  var list = document.querySelector(".md-search-result__list");
  if (!input || !meta || !list) return;
  var root = new URL(JSON.parse(document.getElementById("__config").textContent).base + "/", location.href);
  var pagefind = null;
  var latest = 0;
  meta.textContent = "Type to start searching";

  function engine() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
        return module.options({ baseUrl: root.pathname, excerptLength: 24 }).then(function () {
          return module.init();
        }).then(function () { return module; });
      });
    }
    return pagefind;
  }

  function decoded(html) {
    return new DOMParser().parseFromString(html, "text/html").body.textContent || "";
  }

  function excerpt(html) {
    var p = document.createElement("p");
    html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach(function (piece) {
      var marked = /^<mark>([\s\S]*)<\/mark>$/.exec(piece);
      if (marked) {
        var mark = document.createElement("mark");
        mark.textContent = decoded(marked[1]);
        p.appendChild(mark);
      } else if (piece) {
        p.appendChild(document.createTextNode(decoded(piece)));
      }
    });
    return p;
  }

  function link(url, level, title, html) {
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = new URL(url, location.href).href;
    a.tabIndex = -1;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var heading = document.createElement(level);
    heading.textContent = title;
    article.appendChild(heading);
    article.appendChild(excerpt(html));
    a.appendChild(article);
    return a;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    li.appendChild(link(data.url, "h1", data.meta.title || data.url, data.excerpt));
    (data.sub_results || []).filter(function (section) { return section.url !== data.url; })
      .slice(0, MAX_SECTIONS).forEach(function (section) {
        li.appendChild(link(section.url, "h2", section.title, section.excerpt));
      });
    return li;
  }

  // Pagefind's results with the score of each question page (filed under the filter "leads") multiplied
  // by its boost over the trial pages (6 / 2), so that questions lead, as in the theme's search.
  function ranked(module, query) {
    return Promise.all([module.search(query), module.search(query, { filters: { leads: "yes" } })])
      .then(function (searches) {
        var leads = new Set(searches[1].results.map(function (r) { return r.id; }));
        return searches[0].results.map(function (r) {
          return { r: r, score: r.score * (leads.has(r.id) ? LEAD_FACTOR : 1) };
        }).sort(function (a, b) { return b.score - a.score; }).map(function (scored) { return scored.r; });
      });
  }

  function show(query) {
    var turn = ++latest;
    if (!query.trim()) {
      list.replaceChildren();
      meta.textContent = "Type to start searching";
      return;
    }
    engine().then(function (module) {
      return ranked(module, query);
    }).then(function (results) {
      return Promise.all(results.slice(0, MAX_PAGES).map(function (r) { return r.data(); }))
        .then(function (pages) { return { count: results.length, pages: pages }; });
    }).then(function (found) {
      if (turn !== latest) return;
      meta.textContent = found.count === 0 ? "No matching documents"
        : found.count === 1 ? "1 matching document" : found.count + " matching documents";
      list.replaceChildren.apply(list, found.pages.map(item));
    }).catch(function () {
      if (turn === latest) meta.textContent = "Search is unavailable";
    });
  }

  input.addEventListener("focus", function () { engine().catch(function () {}); });
  input.addEventListener("input", function () { show(input.value); });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) location.href = first.href;
  });
})();
