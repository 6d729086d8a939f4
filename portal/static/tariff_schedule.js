// The tariff schedule editor: pick a period in a grid's palette, click or drag over cells to paint them.
// Each grid keeps its 12 x 24 matrix in a hidden input (JSON), written on every change, so the form
// posts exactly what the grid shows; "none" posts an empty value (no TOU demand).
(function () {
  "use strict";
  var painting = null;
  function setCell(td, period) {
    td.textContent = period;
    td.className = "p" + (period % 12);
  }
  function save(fieldset) {
    var input = fieldset.querySelector("input[type=hidden]");
    if (fieldset.querySelector(".grid-off").checked) { input.value = ""; return; }
    var rows = [];
    for (var m = 0; m < 12; m++) { rows.push([]); }
    fieldset.querySelectorAll("td[data-m]").forEach(function (td) {
      rows[+td.dataset.m][+td.dataset.h] = +td.textContent;
    });
    input.value = JSON.stringify(rows);
  }
  document.querySelectorAll(".tariff-grid").forEach(function (fieldset) {
    var current = 0;
    var buttons = fieldset.querySelectorAll(".period");
    function pick(button) {
      buttons.forEach(function (b) { b.classList.remove("active"); b.setAttribute("aria-checked", "false"); });
      button.classList.add("active");
      button.setAttribute("aria-checked", "true");
      current = +button.dataset.period;
    }
    buttons.forEach(function (b) {
      b.setAttribute("role", "radio");
      b.addEventListener("click", function () { pick(b); });
    });
    if (buttons.length) { pick(buttons[0]); }
    var off = fieldset.querySelector(".grid-off");
    fieldset.classList.toggle("off", off.checked);
    off.addEventListener("change", function () { fieldset.classList.toggle("off", off.checked); save(fieldset); });
    fieldset.querySelectorAll("td[data-m]").forEach(function (td) {
      td.addEventListener("mousedown", function (event) {
        event.preventDefault();
        painting = { fieldset: fieldset, period: current };
        setCell(td, current);
      });
      td.addEventListener("mouseenter", function () {
        if (painting && painting.fieldset === fieldset) { setCell(td, painting.period); }
      });
    });
  });
  document.addEventListener("mouseup", function () {
    if (painting) { save(painting.fieldset); painting = null; }
  });
})();
