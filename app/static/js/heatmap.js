// Draws the heatmap: the diagram with, on each element, how many cases wait there (shade and
// badge). The numbers come from the table under the diagram, which the server rendered.
(function () {
  "use strict";
  const host = document.getElementById("heatmap");
  const select = document.querySelector("#heatmap-filters select[name=process]");
  if (select) { select.addEventListener("change", () => select.form.requestSubmit()); }
  if (!host || !window.BpmnJS) { return; }
  const cells = Array.from(document.querySelectorAll("#heatmap-table tr[data-element-id]")).map((row) => ({
    id: row.dataset.elementId, waiting: Number(row.dataset.waiting), badge: row.dataset.badge,
  }));
  const top = Math.max(1, ...cells.map((cell) => cell.waiting));
  const viewer = new window.BpmnJS({ container: host });
  fetch(host.dataset.xmlUrl, { credentials: "same-origin" }).then((r) => r.text()).then(async (xml) => {
    await viewer.importXML(xml);
    const canvas = viewer.get("canvas");
    const overlays = viewer.get("overlays");
    const registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    cells.forEach((cell) => {
      if (!registry.get(cell.id)) { return; }
      canvas.addMarker(cell.id, "tj-heat-" + Math.max(1, Math.ceil((cell.waiting / top) * 5)));
      const badge = document.createElement("div");
      badge.className = "heat-badge";
      badge.textContent = cell.badge;
      overlays.add(cell.id, { position: { top: -14, left: 0 }, html: badge });
    });
    registry.filter((element) => element.businessObject.calledElement)
      .forEach((element) => canvas.addMarker(element.id, "tj-link"));
    viewer.get("eventBus").on("element.click", (event) => {
      const called = event.element.businessObject.calledElement;
      if (called) { window.location.href = host.dataset.pageUrl + "?process=" + encodeURIComponent(called); }
    });
    host.dataset.rendered = "true";
  }).catch((error) => {
    host.dataset.rendered = "error";
    host.textContent = String(error);
  });
})();
