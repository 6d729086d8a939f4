// Keyboard-first worklist: j/k (or arrows) move, Enter opens, c claims, Ctrl+Enter completes, / searches.
(function () {
  const rows = Array.from(document.querySelectorAll("#tasks tbody tr[data-task]"));
  let index = rows.findIndex((r) => r.classList.contains("table-active"));
  const typing = (e) => ["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName);
  function select(i) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r) => r.classList.remove("table-info"));
    rows[index].classList.add("table-info");
    rows[index].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      const form = document.getElementById("task-form");
      if (form) { e.preventDefault(); form.submit(); }
      return;
    }
    if (typing(e)) return;
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); select(index + 1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); select(index - 1); }
    else if (e.key === "Enter" && index >= 0) { e.preventDefault(); rows[index].querySelector("a.task-link").click(); }
    else if (e.key === "c") { const f = document.getElementById("claim-form"); if (f) f.submit(); }
    else if (e.key === "/") { e.preventDefault(); document.querySelector("#filters input[name=q]").focus(); }
  });
  // Live counts: other clerks claim and complete while this page is open.
  setInterval(async () => {
    try {
      const counts = await (await fetch("/worklist/counts", { headers: { Accept: "application/json" } })).json();
      for (const [queue, n] of Object.entries(counts)) {
        const badge = document.getElementById("count-" + queue);
        if (badge) badge.textContent = n;
      }
    } catch (e) { /* offline for a moment: keep the last counts */ }
  }, 20000);
  const first = document.querySelector("#task-form input:not([type=hidden]), #task-form select");
  if (first) first.focus();
})();
