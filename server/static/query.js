// The query page: examples load into the editor; "Run" with the table format sends the query to
// /sparql and lays the answer out as a table, like the page does without JavaScript. Other formats
// submit the form as it is (the browser shows or saves the file). Text goes in with textContent only.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const format = document.getElementById("format");
  const results = document.getElementById("results");
  if (!form || !editor || !format || !results) return;
  const idBase = form.dataset.idBase || "";
  const prefixes = Object.entries(JSON.parse(form.dataset.prefixes || "{}"));
  const messages = results.dataset;
  const PLAIN = new Set([
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
  ]);

  for (const link of document.querySelectorAll("a.example[data-query]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      editor.value = link.dataset.query;
      editor.focus();
      editor.scrollIntoView({ block: "nearest" });
    });
  }

  form.addEventListener("submit", (event) => {
    if (format.value !== "html") return;
    event.preventDefault();
    run(editor.value);
  });

  async function run(query) {
    show(element("p", messages.running, "note"));
    history.replaceState(null, "", "?" + new URLSearchParams({ query: query }));
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, application/n-triples;q=0.9",
        },
        body: new URLSearchParams({ query: query }),
      });
      const text = await response.text();
      if (!response.ok) {
        show(element("h2", messages.error), element("pre", text, "error"));
      } else if ((response.headers.get("Content-Type") || "").startsWith("application/n-triples")) {
        table(["subject", "predicate", "object"], parseNTriples(text));
      } else {
        solutions(JSON.parse(text));
      }
    } catch (error) {
      show(element("h2", messages.error), element("pre", String(error), "error"));
    }
  }

  function solutions(answer) {
    if ("boolean" in answer) {
      show(element("h2", messages.results), element("p", answer.boolean ? messages.true : messages.false, "boolean"));
      return;
    }
    const columns = answer.head.vars;
    table(columns, answer.results.bindings.map((binding) => columns.map((name) => binding[name])));
  }

  function table(columns, rows) {
    if (rows.length === 0) {
      show(element("h2", messages.results), element("p", messages.noRows, "note"));
      return;
    }
    const head = element("tr");
    for (const column of columns) head.append(element("th", "?" + column));
    const body = element("tbody");
    for (const row of rows) {
      const tr = element("tr");
      for (const term of row) tr.append(cell(term));
      body.append(tr);
    }
    const thead = element("thead");
    thead.append(head);
    const grid = element("table", null, "results");
    grid.append(thead, body);
    const counted = element("p", messages.rows.replace("{n}", rows.length.toLocaleString("vi")), "note");
    show(element("h2", messages.results), counted, grid);
  }

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      const link = element("a", compact(term.value));
      link.href = term.value.startsWith(idBase) ? "/doc/" + term.value.slice(idBase.length) : term.value;
      td.append(link);
    } else if (term.type === "bnode") {
      td.append("_:" + term.value);
    } else {
      const text = element("span", term.value);
      if (term["xml:lang"]) {
        text.lang = term["xml:lang"];
        td.append(text, " ", element("span", "@" + term["xml:lang"], "note"));
      } else if (term.datatype && !PLAIN.has(term.datatype)) {
        td.append(text, " ", element("span", compact(term.datatype), "note"));
      } else {
        td.append(text);
      }
    }
    return td;
  }

  // `vk:symbol` for an IRI under a known prefix, as the page's own tables show it (`namespaces.curie`).
  function compact(iri) {
    for (const [prefix, namespace] of prefixes) {
      if (iri.startsWith(namespace) && iri !== namespace) return prefix + ":" + iri.slice(namespace.length);
    }
    return iri;
  }

  // N-Triples as pyoxigraph writes it: one triple a line, terms separated by spaces.
  const TERM = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?/g;
  const ESCAPE = /\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g;
  const ESCAPED = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" };

  function parseNTriples(text) {
    const rows = [];
    for (const line of text.split("\n")) {
      const terms = [...line.matchAll(TERM)].map(toTerm);
      if (terms.length >= 3) rows.push(terms.slice(0, 3));
    }
    return rows;
  }

  function toTerm(match) {
    if (match[1] !== undefined) return { type: "uri", value: match[1] };
    if (match[2] !== undefined) return { type: "bnode", value: match[2] };
    const term = { type: "literal", value: match[3].replace(ESCAPE, unescape) };
    if (match[4]) term["xml:lang"] = match[4];
    if (match[5]) term.datatype = match[5];
    return term;
  }

  function unescape(_, code) {
    return code.length > 1 ? String.fromCodePoint(parseInt(code.slice(1), 16)) : ESCAPED[code] ?? code;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== null && text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(...nodes) {
    results.replaceChildren(...nodes);
  }
})();
