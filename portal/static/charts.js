// Draws the Plotly figures that reports/figures.py leaves as JSON next to their div (no inline script under the CSP).
(function () {
  document.querySelectorAll('script[type="application/json"][data-chart-for]').forEach((spec) => {
    const target = document.getElementById(spec.dataset.chartFor);
    if (!target) return;
    const figure = JSON.parse(spec.textContent);
    target.style.height = target.dataset.height + "px";
    target.style.width = "100%";
    Plotly.newPlot(target, figure.data, figure.layout, figure.config);
    const param = target.dataset.clickParam;
    if (param) {
      // A bar opens its drill-down: the bar's customdata becomes the query parameter the page reads.
      target.on("plotly_click", (event) => {
        const params = new URLSearchParams(window.location.search);
        params.set(param, event.points[0].customdata);
        params.delete("format");
        window.location.search = params.toString();
      });
    }
  });
})();
