/* Kennisbank search: matches every word of the query against the generated index
   (window.SAMEN_ZOEKINDEX from zoekindex.js); no requests, results built with DOM methods. */
(function () {
  "use strict";
  var MAX_RESULTS = 50;
  var index = window.SAMEN_ZOEKINDEX;
  var input = document.getElementById("zoekveld");
  var form = document.getElementById("zoekformulier");
  var status = document.getElementById("zoekstatus");
  var list = document.getElementById("zoekresultaten");
  if (!index || !input || !form || !status || !list) { return; }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }
  var lang = status.getAttribute("data-lang") || "nl";
  function number(value) { return value.toLocaleString(lang); }

  var haystacks = null;
  function haystack(i) {
    if (haystacks === null) {
      haystacks = index.items.map(function (item) {
        return fold([item[1], item[2], item[3], "#" + item[0]].join(" "));
      });
    }
    return haystacks[i];
  }

  function excerpt(text) {
    return text.length > 240 ? text.slice(0, 239).replace(/\s+\S*$/, "") + "…" : text;
  }

  function render(query) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var words = fold(query).split(/\s+/).filter(Boolean).map(function (w) { return w.replace(/^#/, ""); });
    if (words.length === 0) { status.textContent = ""; return; }
    var hits = [];
    for (var i = 0; i < index.items.length; i++) {
      var text = haystack(i);
      if (words.every(function (w) { return text.indexOf(w) !== -1; })) { hits.push(index.items[i]); }
    }
    var key = hits.length === 0 ? "data-found-none" : hits.length === 1 ? "data-found-one" : "data-found-many";
    var message = fill(status.getAttribute(key), { count: number(hits.length), query: query });
    if (hits.length > MAX_RESULTS) {
      message += " " + fill(status.getAttribute("data-shown"), { shown: number(MAX_RESULTS) });
    }
    status.textContent = message;
    hits.slice(0, MAX_RESULTS).forEach(function (item) {
      var li = document.createElement("li");
      li.className = "card";
      var heading = document.createElement("h2");
      heading.className = "result-title";
      var link = document.createElement("a");
      link.href = "inzicht/" + item[0] + ".html";
      link.textContent = fill(status.getAttribute("data-learning"), { number: item[0] });
      heading.appendChild(link);
      var body = document.createElement("p");
      body.className = "card-text";
      body.textContent = excerpt(item[1]);
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = [item[2], item[4], item[3]].filter(Boolean).join(" · ");
      li.appendChild(heading);
      li.appendChild(body);
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  render(initial);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value.trim();
    try {  // keep the query in the address bar (some browsers refuse this on file:// pages)
      var url = new URL(window.location.href);
      url.searchParams.set("q", query);
      window.history.replaceState(null, "", url.toString());
    } catch (ignored) { /* the results still show */ }
    render(query);
  });
})();
