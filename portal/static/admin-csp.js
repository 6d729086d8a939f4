// What Flask-Admin's inline onclick handlers did, for its templates as overridden in portal/templates/admin/
// (the CSP runs no inline handler): data-action runs a list action, data-confirm asks before a delete,
// data-inline-field adds an inline form; href="javascript:void(0)" is never followed (the CSP would refuse it).
(function () {
  document.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    const confirming = event.target.closest("button[data-confirm]");
    const inline = event.target.closest("[data-inline-field]");
    if (action) {
      event.preventDefault();
      window.modelActions.execute(action.dataset.action);
    } else if (confirming && !window.faHelpers.safeConfirm(confirming.dataset.confirm)) {
      event.preventDefault();
    } else if (inline) {
      event.preventDefault();
      window.faForm.addInlineField(inline, inline.dataset.inlineField);
    }
  });
  window.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest('a[href^="javascript:"]')) event.preventDefault();
  }, true);
})();
