// The agent workspace's small behaviours: toasts, keyboard shortcuts, clickable queue rows.
// Everything works without this file; it only makes the keyboard and mouse faster.
(function () {
  "use strict";

  // Toasts sent by the server with HX-Trigger: {"toast": {"message": "..."}}
  document.body.addEventListener("toast", function (event) {
    const toast = document.createElement("div");
    toast.className = "toast";
    toast.textContent = event.detail.message; // text, never HTML
    document.getElementById("toasts").appendChild(toast);
    setTimeout(function () { toast.remove(); }, 3500);
  });

  function rows() { return Array.from(document.querySelectorAll("table[data-queue] tbody tr[data-href]")); }
  function selected() { return document.querySelector("tr.selected"); }
  function select(row) {
    const current = selected();
    if (current) current.classList.remove("selected");
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
  }
  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(selected());
    select(all[Math.min(Math.max(index + step, 0), all.length - 1)] || all[0]);
  }
  function click(selector) { const element = document.querySelector(selector); if (element) element.click(); }

  document.addEventListener("click", function (event) {
    const row = event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a, button, input, select, textarea")) window.location = row.dataset.href;
    if (event.target.closest("[data-shortcuts-toggle]")) document.getElementById("shortcuts").showModal();
    const copy = event.target.closest("[data-copy-reply]");
    if (copy && navigator.clipboard) {
      const reply = copy.form.querySelector("textarea");
      navigator.clipboard.writeText(reply.value).catch(function () {});
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": { const row = selected(); if (row) window.location = row.dataset.href; break; }
      case "a": click("[data-accept-form] button[type=submit]"); break;
      case "e": { const reply = document.getElementById("id_final_reply"); if (reply) { event.preventDefault(); reply.focus(); } break; }
      case "u": click("[data-vote=up]"); break;
      case "d": click("[data-vote=down]"); break;
      case "?": document.getElementById("shortcuts").showModal(); break;
      default: return;
    }
  });
})();
