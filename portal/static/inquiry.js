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
        if (res[0]) drawCharts(body);
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
  // A section's Plotly figure arrives as JSON beside its div (reports/figures.py embed): plotly.js is fetched
  // only when a section has one, so the page's first paint never waits for it.
  var plotly = null;
  function withPlotly(src, done) {
    if (window.Plotly) return done();
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    plotly.then(done);
  }
  function drawCharts(body) {
    var specs = body.querySelectorAll('script[type="application/json"][data-chart-for]');
    var holder = body.querySelector("[data-plotly-src]");
    if (!specs.length || !holder) return;
    withPlotly(holder.getAttribute("data-plotly-src"), function () {
      specs.forEach(function (spec) {
        var target = document.getElementById(spec.getAttribute("data-chart-for"));
        if (!target) return;
        var figure = JSON.parse(spec.textContent);
        target.style.height = target.getAttribute("data-height") + "px";
        target.style.width = "100%";
        window.Plotly.newPlot(target, figure.data, figure.layout, figure.config);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-section-url]").forEach(function (s) { load(s, s.getAttribute("data-section-url")); });
  });
})();
