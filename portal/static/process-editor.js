// The in-browser BPMN editor: bpmn-js with the Camunda properties panel, validate and deploy.
(async function () {
  const cfg = document.getElementById("editor").dataset;   // urls and the CSRF token, from the page
  const P = window.BpmnJSPropertiesPanel;
  const camunda = await (await fetch(cfg.moddle)).json();
  const modeler = new BpmnJS({
    container: "#canvas",
    propertiesPanel: { parent: "#properties" },
    additionalModules: [P.BpmnPropertiesPanelModule, P.BpmnPropertiesProviderModule, P.CamundaPlatformPropertiesProviderModule],
    moddleExtensions: { camunda },
  });
  window.cmsModeler = modeler;
  const result = document.getElementById("result");
  function show(ok, text, kind) {
    result.className = "alert alert-" + (kind || (ok ? "success" : "danger"));
    result.textContent = text;
  }
  try {
    await modeler.importXML(await (await fetch(cfg.source)).text());
    modeler.get("canvas").zoom("fit-viewport");
  } catch (err) { show(false, "Cannot open the diagram: " + err.message); }

  async function post(url, extra) {
    const { xml } = await modeler.saveXML({ format: true });
    const response = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify({ xml, ...extra }),
    });
    const body = await response.json();
    // A diagram identical to the latest version deploys nothing: say so, not as a success.
    show(body.ok, (body.ok ? "" : "Refused: ") + (body.element ? body.element + ": " : "") + body.message,
      body.ok && body.new === false ? "info" : undefined);
    if (!body.ok && body.element) {
      const element = modeler.get("elementRegistry").get(body.element);
      if (element) modeler.get("selection").select(element);
    }
    return body;
  }
  document.getElementById("validate").onclick = () => post(cfg.validate, {});
  document.getElementById("deploy").onclick = () => post(cfg.deploy, { key: document.getElementById("key").value });
  document.getElementById("download").onclick = async () => {
    const { xml } = await modeler.saveXML({ format: true });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    link.download = (document.getElementById("key").value || "process") + ".bpmn";
    link.click();
  };
})();
