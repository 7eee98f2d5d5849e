// The query page: examples load into the editor (links and a menu); Ctrl+Enter (⌘+Enter) runs the
// query; "Run" with the table format posts it to /sparql asking for HTML and puts the results section
// of the answer in place of this page's, so the table (labels, links, download buttons) is the one the
// page shows without JavaScript. Other formats submit the form as it is (the browser shows or saves the
// file). The answer is parsed with DOMParser (nothing in it runs) and only our own section is taken.
"use strict";

(function () {
  const form = document.getElementById("query-form");
  const editor = document.getElementById("query");
  const format = document.getElementById("format");
  const results = document.getElementById("results");
  const menu = document.getElementById("example-menu");
  if (!form || !editor || !format || !results) return;
  const messages = results.dataset;
  const examples = [...document.querySelectorAll("a.example[data-query]")];

  function load(query) {
    editor.value = query;
    editor.focus();
    editor.scrollIntoView({ block: "nearest" });
  }

  for (const link of examples) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      load(link.dataset.query);
    });
  }

  if (menu) {
    for (const scripted of document.querySelectorAll(".scripted")) scripted.hidden = false;
    menu.addEventListener("change", () => {
      const example = examples[Number(menu.value)];
      if (menu.value !== "" && example) load(example.dataset.query);
      menu.value = "";
    });
  }

  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

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
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/html" },
        body: new URLSearchParams({ query: query }),
      });
      const text = await response.text();
      const answered = (response.headers.get("Content-Type") || "").startsWith("text/html")
        ? new DOMParser().parseFromString(text, "text/html").getElementById("results")
        : null;
      if (answered) {
        show(...answered.childNodes);
      } else {
        show(element("h2", messages.error), element("pre", text, "error"));
      }
    } catch (error) {
      show(element("h2", messages.error), element("pre", String(error), "error"));
    }
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== null && text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(...nodes) {
    results.replaceChildren(...nodes.map((node) => document.adoptNode(node)));
  }
})();
