// Follows a queued reading import: a progress bar while it runs, then what was imported or why not.
(function () {
  const box = document.getElementById("import-job");
  if (!box) return;
  const bar = document.getElementById("bar"), phase = document.getElementById("phase");
  const outcome = document.getElementById("outcome");

  function show(job) {
    const pct = job.total ? Math.round((100 * job.done) / job.total) : 100;
    bar.style.width = `${pct}%`;
    bar.setAttribute("aria-valuenow", pct);
    bar.textContent = job.finished ? job.status : (job.total ? `${pct} %` : job.status);
    phase.textContent = job.finished ? "" : (job.phase || job.status);
    if (!job.finished) return false;
    bar.classList.remove("progress-bar-animated", "progress-bar-striped");
    bar.classList.add(job.status === "done" ? "bg-success" : "bg-danger");
    outcome.innerHTML = "";
    if (job.status === "done") {
      const s = job.summary;
      const p = document.createElement("p");
      p.className = "alert alert-success";
      p.textContent = `${s.file_format}: ${s.readings} reading(s) imported (${s.anomalies} with anomalies), `
        + `${s.intervals} interval value(s); ${s.unchanged} already present; ${s.orders_answered} reading order(s) answered`
        + (s.orders_noted ? `; ${s.orders_noted} reader's note(s) kept for the estimate.` : ".");
      outcome.appendChild(p);
      for (const note of s.notes || []) {
        const li = document.createElement("li");
        li.textContent = note;
        outcome.appendChild(li);
      }
    } else {
      const p = document.createElement("p");
      p.className = "alert alert-danger";
      p.textContent = job.status === "refused"
        ? `Nothing was imported: ${job.summary.count} problem(s).` : (job.message || "The import failed.");
      outcome.appendChild(p);
      const list = document.createElement("ul");
      list.id = "problems";
      for (const problem of (job.summary && job.summary.problems) || []) {
        const li = document.createElement("li");
        li.textContent = problem;
        list.appendChild(li);
      }
      outcome.appendChild(list);
    }
    return true;
  }

  async function poll() {
    const job = await (await fetch(box.dataset.url, { headers: { Accept: "application/json" } })).json();
    if (!show(job)) setTimeout(poll, 700);
  }
  poll();
})();
