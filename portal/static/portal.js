// Small behaviours the templates declare with data attributes, since the CSP runs no inline on*= handlers:
// data-print buttons print the page, data-confirm forms ask first, data-no-submit forms never submit.
(function () {
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.hasAttribute("data-no-submit")) event.preventDefault();
    else if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
