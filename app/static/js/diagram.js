// Draws a diagram with the vendored bpmn-js viewer and marks ready/completed elements: a case's
// (states fetched) or a designer's trial run (states inline in data-states).
(function () {
  "use strict";
  const host = document.getElementById("diagram");
  if (!host || !window.BpmnJS) { return; }
  const viewer = new window.BpmnJS({ container: host });
  Promise.all([
    fetch(host.dataset.xmlUrl, { credentials: "same-origin" }).then((r) => r.text()),
    host.dataset.states ? JSON.parse(host.dataset.states)
      : fetch(host.dataset.statesUrl, { credentials: "same-origin" }).then((r) => r.json()),
  ]).then(async ([xml, states]) => {
    await viewer.importXML(xml);
    const canvas = viewer.get("canvas");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    const mark = (ids, marker) => (ids || []).forEach((id) => {
      if (registry.get(id)) { canvas.addMarker(id, marker); }
    });
    mark(states.COMPLETED, "tj-completed");
    // An active call activity (a stage in progress) counts as current, like a ready task.
    ["READY", "WAITING", "STARTED"].forEach((state) => mark(states[state], "tj-ready"));
    // A stage opens the diagram of the process it calls, marked the same way.
    const linked = Boolean(host.dataset.caseUrl);
    registry.filter((element) => linked && element.businessObject.calledElement)
      .forEach((element) => canvas.addMarker(element.id, "tj-link"));
    viewer.get("eventBus").on("element.click", (event) => {
      const called = event.element.businessObject.calledElement;
      if (called && linked) {
        window.location.href = host.dataset.caseUrl + "?process=" + encodeURIComponent(called) + "#diagram";
      }
    });
    host.dataset.rendered = "true";
  }).catch((error) => {
    host.dataset.rendered = "error";
    host.textContent = String(error);
  });
})();
