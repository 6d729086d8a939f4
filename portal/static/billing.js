// Follows a billing run while its workers bill: polls its progress every 2 s and moves the bar; once the run
// has finished the page reloads once to show the summary (no inline script under the CSP).
(function () {
  const box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "true") return;
  const bar = document.getElementById("run-bar");
  const figures = (id) => document.getElementById(id);
  const grouped = (n) => Number(n).toLocaleString("en-US");

  const finished = (p) => p.status === "done" || p.status === "failed";

  function left(p) {
    if (finished(p)) return "finished";
    if (p.seconds_left === null) return "time left not known yet";
    const s = p.seconds_left;
    return s >= 120 ? `about ${Math.round(s / 60)} min left` : `about ${s} s left`;
  }

  function show(p) {
    bar.style.width = `${p.percent}%`;
    bar.setAttribute("aria-valuenow", p.percent);
    bar.textContent = `${p.percent} %`;
    figures("run-done").textContent = grouped(p.done);
    figures("run-billed").textContent = grouped(p.billed);
    figures("run-total").textContent = grouped(p.total);
    figures("run-held").textContent = grouped(p.held);
    figures("run-errors").textContent = grouped(p.errors);
    figures("run-rate").textContent = `${p.rate} per second`;
    figures("run-left").textContent = left(p);
    const badge = figures("run-status");
    badge.textContent = p.status;
    badge.className = `badge badge-${{ done: "success", failed: "danger", running: "primary" }[p.status] || "secondary"}`;
    if (!finished(p)) return false;
    bar.classList.remove("progress-bar-animated", "progress-bar-striped");
    bar.classList.add(p.status === "done" ? "bg-success" : "bg-danger");
    return true;
  }

  async function poll() {
    try {
      const answer = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      if (answer.ok && show(await answer.json())) {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A poll lost on the way (the server restarting): the next one tries again.
    }
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 2000);
})();
