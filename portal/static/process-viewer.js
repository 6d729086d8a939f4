// Read-only BPMN diagrams (process instance page, worklist task panel) with their done and current steps marked.
// The container says what to draw in data attributes: the CSP runs no inline script.
(function () {
  document.querySelectorAll("[data-bpmn-source]").forEach(async (container) => {
    const viewer = new BpmnJS({ container });
    await viewer.importXML(await (await fetch(container.dataset.bpmnSource)).text());
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    for (const id of JSON.parse(container.dataset.done || "[]")) if (registry.get(id)) canvas.addMarker(id, "done");
    for (const id of JSON.parse(container.dataset.current || "[]")) if (registry.get(id)) canvas.addMarker(id, "current");
    if (container.dataset.focus === undefined) {
      canvas.zoom("fit-viewport");
    } else {
      // A task panel shows its own step at full size rather than the whole process shrunk.
      const here = registry.get(container.dataset.focus);
      canvas.zoom(1);
      if (here) canvas.scrollToElement(here);
    }
  });
})();
