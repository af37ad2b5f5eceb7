/* The search page: a small UI over Pagefind's API (pagefind.js), loaded on /search/ only.
 *
 * Pagefind indexes the full-text archive (volumes of records, each record under an <h2>
 * whose id is the record's id) rather than the record pages, so its index stays small as
 * the record grows. A result is a volume; each of its sub-results is one record, which
 * this script links to the record's own page. Fragments (a volume's text) are fetched a
 * few volumes at a time: "show more" fetches the next ones.
 */
(function () {
  "use strict";

  var VOLUMES_AT_ONCE = 2;
  var DEBOUNCE_MS = 250;
  var KIND_LABELS = {"issues/": "提案", "meetings/": "议事会"};

  var form = document.getElementById("search");
  if (!form) return;
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var root = new URL(form.getAttribute("data-root"), document.baseURI).href;
  var bundle = new URL(form.getAttribute("data-bundle"), document.baseURI).href;

  var engine = null;
  var latest = 0;
  var state = null;
  var timer = null;

  function load() {
    if (!engine) {
      engine = import(bundle + "pagefind.js").then(function (pagefind) {
        pagefind.options({excerptLength: 40});
        // Pagefind splits a Chinese query with the browser's word segmenter when the page
        // is in Chinese, but the index was split by jieba: the two disagree on words like
        // 清运 (the browser gives 清|运, and single characters find nothing). The engine
        // reads <html lang> once, when it starts; "und" makes it take the query as given,
        // and terms() splits it instead, in a way that agrees with the index.
        var html = document.documentElement;
        var lang = html.getAttribute("lang");
        html.setAttribute("lang", "und");
        var started;
        try {
          started = pagefind.init();
        } finally {
          html.setAttribute("lang", lang);
        }
        return started.then(function () { return pagefind; });
      });
    }
    return engine;
  }

  // The browser's Chinese words, with runs of single characters joined again: the index
  // holds 清运 and 加装 where the browser sees 清|运 and 加|装, and a term matches every
  // indexed word it begins, so a joined run still finds what it should.
  function terms(query) {
    if (typeof Intl === "undefined" || !Intl.Segmenter) return query;
    var out = [];
    var run = "";
    var words = new Intl.Segmenter("zh", {granularity: "word"}).segment(query);
    Array.from(words).forEach(function (part) {
      if (!part.isWordLike) return;
      if (Array.from(part.segment).length === 1 && /\p{Script=Han}/u.test(part.segment)) {
        run += part.segment;
        return;
      }
      if (run) out.push(run);
      run = "";
      out.push(part.segment);
    });
    if (run) out.push(run);
    return out.join(" ") || query;
  }

  function say(text, phase) {
    status.textContent = text;
    form.setAttribute("data-state", phase);
  }

  // Pagefind's excerpt is HTML with <mark> around the matched words; copy only its text
  // and the marks, so nothing else from the index can become markup on the page.
  function excerpt(html) {
    var p = document.createElement("p");
    var doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        p.appendChild(mark);
      } else {
        p.appendChild(document.createTextNode(node.textContent || ""));
      }
    });
    return p;
  }

  function score(sub) {
    return (sub.weighted_locations || []).reduce(function (sum, l) {
      return sum + (l.balanced_score || l.weight || 0);
    }, 0);
  }

  // One hit per record: the sub-results of a volume that sit under a record's heading.
  function hits(data) {
    var records = (data.meta && data.meta.records) || "issues/";
    return (data.sub_results || []).map(function (sub) {
      var anchor = (sub.url || "").split("#")[1];
      if (!anchor) return null;
      return {id: decodeURIComponent(anchor), title: sub.title, excerpt: sub.excerpt,
              records: records, score: score(sub)};
    }).filter(Boolean);
  }

  function item(hit) {
    var li = document.createElement("li");
    li.className = "yi-search-hit";
    var a = document.createElement("a");
    a.href = root + hit.records + encodeURIComponent(hit.id) + "/";
    a.textContent = hit.title || hit.id;
    li.appendChild(a);
    var small = document.createElement("small");
    small.textContent = " " + (KIND_LABELS[hit.records] || "") + " ";
    var id = document.createElement("span");
    id.className = "yi-id";
    id.textContent = hit.id;
    small.appendChild(id);
    li.appendChild(small);
    li.appendChild(excerpt(hit.excerpt || ""));
    return li;
  }

  function showMore(mine) {
    var batch = state.results.slice(state.next, state.next + VOLUMES_AT_ONCE);
    state.next += batch.length;
    more.hidden = true;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (volumes) {
      if (mine !== latest) return;
      var found = [];
      volumes.forEach(function (data) { found = found.concat(hits(data)); });
      // Best first within the batch; batches follow Pagefind's ranking of the volumes.
      found.sort(function (a, b) { return b.score - a.score; });
      found.forEach(function (hit) { list.appendChild(item(hit)); });
      state.shown += found.length;
      var left = state.next < state.results.length;
      more.hidden = !left;
      say("找到 " + state.shown + " 条相关记录" + (left ? ",还有更多" : "") + "。", "done");
    });
  }

  function run(query) {
    var mine = ++latest;
    list.textContent = "";
    more.hidden = true;
    if (!query) {
      say("", "idle");
      return Promise.resolve();
    }
    say("正在搜索……", "loading");
    return load()
      .then(function (pagefind) { return pagefind.search(terms(query)); })
      .then(function (search) {
        if (mine !== latest || !search) return;
        state = {results: search.results, next: 0, shown: 0};
        if (!search.results.length) {
          say("没有找到与“" + query + "”相关的记录。", "empty");
          return;
        }
        return showMore(mine);
      })
      .catch(function () {
        if (mine === latest) say("搜索暂不可用,请稍后再试,或浏览全文档案。", "error");
      });
  }

  function remember(query) {
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url.href);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var query = input.value.trim();
      remember(query);
      run(query);
    }, DEBOUNCE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var query = input.value.trim();
    remember(query);
    run(query);
  });
  more.addEventListener("click", function () {
    if (state) showMore(latest);
  });

  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    run(initial.trim());
  }
})();
