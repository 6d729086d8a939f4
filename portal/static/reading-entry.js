// Keyboard entry along a route: Enter saves the row and moves on; out-of-range values are flagged as
// you type; the server judges the reading again and answers with consumption and anomalies.
(function () {
  const table = document.getElementById("entry-table");
  if (!table) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const rows = Array.from(table.querySelectorAll("tbody tr"));

  function check(row) {
    const input = row.querySelector(".reading-value");
    const result = row.querySelector(".result");
    const text = input.value.trim();
    row.classList.remove("table-warning");
    input.classList.remove("is-invalid");
    if (!text) { return; }
    if (!/^\d+(\.\d+)?$/.test(text)) {
      input.classList.add("is-invalid");
      result.textContent = "not a number";
      return;
    }
    const value = Number(text), low = row.dataset.low, high = row.dataset.high, previous = row.dataset.previous;
    if (previous !== "" && value < Number(previous)) {
      row.classList.add("table-warning");
      result.textContent = "below the previous reading (rollover?)";
    } else if (low !== "" && (value < Number(low) || value > Number(high))) {
      row.classList.add("table-warning");
      result.textContent = `outside the expected ${low}–${high}`;
    } else {
      result.textContent = "";
    }
  }

  function focusRow(index) {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    const input = row.querySelector(".reading-value");
    input.focus();
    input.select();
  }

  async function save(row) {
    const input = row.querySelector(".reading-value");
    const note = row.querySelector(".reading-note");
    const result = row.querySelector(".result");
    if (!input.value.trim() && !note.value) { return true; }   // nothing typed: just move on
    result.textContent = "saving…";
    const response = await fetch(row.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ value: input.value, note: note.value, read_on: document.getElementById("read-on").value }),
    });
    const answer = await response.json();
    if (!response.ok) {
      row.classList.remove("table-success");
      input.classList.add("is-invalid");
      result.innerHTML = "";
      const message = document.createElement("span");
      message.className = "text-danger";
      message.textContent = `${answer.field}: ${answer.message}`;
      result.appendChild(message);
      return false;
    }
    row.dataset.status = answer.status;
    row.classList.remove("table-warning");
    row.classList.add("table-success");
    input.classList.remove("is-invalid");
    const parts = [answer.value === null ? "note saved" : "saved"];
    if (answer.consumption !== null && answer.consumption !== undefined) parts.push(`consumption ${answer.consumption}`);
    result.textContent = parts.join(" · ");
    for (const code of answer.anomalies) {
      const badge = document.createElement("span");
      badge.className = "badge badge-warning ml-1";
      badge.textContent = code.replaceAll("_", " ");
      result.appendChild(badge);
    }
    return true;
  }

  // After a save the walk goes on to the next meter still to read; arrows visit every row.
  function nextOpen(index) {
    const next = rows.findIndex((row, i) => i > index && row.dataset.status === "open");
    return next < 0 ? index + 1 : next;
  }

  rows.forEach((row, index) => {
    const input = row.querySelector(".reading-value");
    input.addEventListener("input", () => check(row));
    row.addEventListener("keydown", async (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        if (await save(row)) focusRow(nextOpen(index));
      } else if (event.key === "ArrowDown" && event.target === input) {
        event.preventDefault();
        focusRow(index + 1);
      } else if (event.key === "ArrowUp" && event.target === input) {
        event.preventDefault();
        focusRow(index - 1);
      }
    });
  });
  const first = rows.findIndex((row) => row.dataset.status === "open");
  if (rows.length && !rows[0].querySelector(".reading-value").disabled) focusRow(first < 0 ? 0 : first);
})();
