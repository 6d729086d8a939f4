// The service point view: each section is fetched on its own, so the header paints at once and a slow
// section never holds up the others. Forms inside a section (the timeline's filter) reload just it.
(function () {
  function load(section, url) {
    var body = section.querySelector(".section-body");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.text().then(function (t) { return [r.ok, t]; }); })
      .then(function (res) {
        body.innerHTML = res[0] ? res[1] : '<p class="text-danger small">This section could not be loaded.</p>';
        section.setAttribute("data-loaded", res[0] ? "yes" : "error");
        var form = body.querySelector("form[data-reload]");
        if (form) {
          form.addEventListener("submit", function (e) {
            e.preventDefault();
            load(section, form.action + "?" + new URLSearchParams(new FormData(form)).toString());
          });
        }
      })
      .catch(function () { body.innerHTML = '<p class="text-danger small">This section could not be loaded.</p>'; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-section-url]").forEach(function (s) { load(s, s.getAttribute("data-section-url")); });
  });
})();
