// The designer's modeler: the vendored bpmn-js modeler on the canvas, the properties panel rendered
// by the server beside it (htmx), and validation/deploy of the edited XML. The server is the only
// judge of what is valid; this file reads the selected element for the panel and writes what the
// panel accepted back into the diagram through the modeler's API.
(function () {
  "use strict";
  const host = document.getElementById("modeler");
  if (!host || !window.BpmnJS || !window.htmx) { return; }
  const panel = document.getElementById("properties");
  const problems = document.getElementById("problems");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  const TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];

  async function start() {
    const descriptor = await fetch(host.dataset.moddleUrl).then((r) => r.json());
    const modeler = new window.BpmnJS({
      container: document.getElementById("canvas"),
      moddleExtensions: { spiffworkflow: descriptor },
    });
    if (host.dataset.xmlUrl) {
      const xml = await fetch(host.dataset.xmlUrl, { credentials: "same-origin" }).then((r) => r.text());
      await modeler.importXML(xml);
    } else {
      await modeler.createDiagram();
    }
    const registry = modeler.get("elementRegistry");
    const modeling = modeler.get("modeling");
    const moddle = modeler.get("moddle");
    const canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport");

    const extensionValues = (bo) => (bo.extensionElements ? bo.extensionElements.get("values") : []);
    const extensionBody = (bo, type) => {
      const found = extensionValues(bo).find((v) => v.$type === type);
      return found ? found.value || "" : "";
    };
    const formKeyOf = (bo) => {
      const props = extensionValues(bo).find((v) => v.$type === "spiffworkflow:Properties");
      const key = props && props.get("properties").find((p) => p.name === "formKey");
      return key ? key.value || "" : "";
    };
    const processOf = (bo) => {
      let owner = bo;
      while (owner && owner.$type !== "bpmn:Process" && owner.$type !== "bpmn:SubProcess") { owner = owner.$parent; }
      return owner;
    };
    const lanesOf = (bo) => {
      const process = processOf(bo);
      const sets = process ? process.get("laneSets") || [] : [];
      return sets.flatMap((set) => set.get("lanes") || []);
    };
    const timerOf = (bo) => (bo.eventDefinitions || []).find((d) => d.$type === "bpmn:TimerEventDefinition");

    // What the panel needs to know about an element: its type and its current values.
    function read(element) {
      const bo = element.businessObject;
      const values = {
        element_id: bo.id,
        element_type: bo.$type,
        name: bo.name || "",
        documentation: (bo.documentation || []).map((d) => d.text).join("\n"),
        form_key: formKeyOf(bo),
        instructions: extensionBody(bo, "spiffworkflow:InstructionsForEndUser"),
        called_decision: extensionBody(bo, "spiffworkflow:CalledDecisionId"),
        pre_script: extensionBody(bo, "spiffworkflow:PreScript"),
        post_script: extensionBody(bo, "spiffworkflow:PostScript"),
        called_element: bo.calledElement || "",
        script: bo.script || "",
        condition: bo.conditionExpression ? bo.conditionExpression.body || "" : "",
      };
      const lanes = lanesOf(bo);
      values.lanes = lanes.map((lane) => lane.name || "").filter(Boolean).join("\n");
      const lane = lanes.find((l) => (l.get("flowNodeRef") || []).includes(bo));
      values.lane = lane ? lane.name || "" : "";
      const timer = timerOf(bo);
      values.has_timer = timer ? "true" : "";
      if (timer) {
        values.timer_kind = TIMER_KINDS.find((kind) => timer[kind]) || "timeDate";
        values.timer = timer[values.timer_kind] ? timer[values.timer_kind].body || "" : "";
      }
      return values;
    }

    function showPanel(element) {
      const root = canvas.getRootElement();
      const target = element || root;
      htmx.ajax("POST", host.dataset.propertiesUrl, {
        source: panel, target: panel, swap: "innerHTML", values: read(target),
      });
    }

    function extensions(element) {
      const bo = element.businessObject;
      if (!bo.extensionElements) {
        modeling.updateProperties(element, { extensionElements: moddle.create("bpmn:ExtensionElements", { values: [] }) });
      }
      return bo.extensionElements;
    }
    function setExtensionBody(element, type, value) {
      const ext = extensions(element);
      const kept = ext.get("values").filter((v) => v.$type !== type);
      if (value) { kept.push(moddle.create(type, { value: value })); }
      modeling.updateModdleProperties(element, ext, { values: kept });
    }
    function setFormKey(element, key) {
      const ext = extensions(element);
      let props = ext.get("values").find((v) => v.$type === "spiffworkflow:Properties");
      if (!props) {
        props = moddle.create("spiffworkflow:Properties", { properties: [] });
        modeling.updateModdleProperties(element, ext, { values: [props, ...ext.get("values")] });
      }
      const kept = props.get("properties").filter((p) => p.name !== "formKey");
      if (key) { kept.unshift(moddle.create("spiffworkflow:Property", { name: "formKey", value: key })); }
      modeling.updateModdleProperties(element, props, { properties: kept });
    }
    function setLane(element, name) {
      const bo = element.businessObject;
      lanesOf(bo).forEach((lane) => {
        const refs = (lane.get("flowNodeRef") || []).filter((node) => node !== bo);
        if (lane.name === name) { refs.push(bo); }
        modeling.updateModdleProperties(registry.get(lane.id), lane, { flowNodeRef: refs });
      });
    }

    // The panel accepted these values (the server checked them): write them into the diagram.
    function apply(values) {
      const element = registry.get(values.element_id);
      if (!element) { return; }
      const props = {};
      if ("name" in values) { props.name = values.name || undefined; }
      if ("documentation" in values) {
        props.documentation = values.documentation ? [moddle.create("bpmn:Documentation", { text: values.documentation })] : [];
      }
      if ("condition" in values) {
        props.conditionExpression = values.condition ? moddle.create("bpmn:FormalExpression", { body: values.condition }) : undefined;
      }
      if ("called_element" in values) { props.calledElement = values.called_element || undefined; }
      if ("script" in values) { props.script = values.script || undefined; }
      if (Object.keys(props).length) { modeling.updateProperties(element, props); }
      if ("timer" in values) {
        const changes = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
        changes[values.timer_kind] = moddle.create("bpmn:FormalExpression", { body: values.timer });
        modeling.updateModdleProperties(element, timerOf(element.businessObject), changes);
      }
      if ("form_key" in values) { setFormKey(element, values.form_key); }
      [["instructions", "spiffworkflow:InstructionsForEndUser"], ["called_decision", "spiffworkflow:CalledDecisionId"],
        ["pre_script", "spiffworkflow:PreScript"], ["post_script", "spiffworkflow:PostScript"]].forEach(([field, type]) => {
        if (field in values) { setExtensionBody(element, type, values[field]); }
      });
      if ("lane" in values) { setLane(element, values.lane); }
      host.dataset.dirty = "true";
    }

    function markProblems() {
      registry.getAll().forEach((element) => canvas.removeMarker(element.id, "tj-error"));
      problems.querySelectorAll("[data-element]").forEach((item) => {
        const id = item.dataset.element;
        if (registry.get(id)) {
          canvas.addMarker(id, "tj-error");
          item.addEventListener("click", () => {
            modeler.get("selection").select(registry.get(id));
            canvas.scrollToElement(registry.get(id));
          });
        }
      });
    }

    async function send(url) {
      const { xml } = await modeler.saveXML({ format: true });
      const body = new FormData();
      body.append("csrf_token", csrf);
      body.append("xml", xml);
      body.append("filename", document.getElementById("model-filename").value);
      body.append("note", (document.getElementById("model-note") || { value: "" }).value);
      const response = await fetch(url, { method: "POST", body: body, credentials: "same-origin" });
      problems.innerHTML = await response.text();
      markProblems();
      if (response.ok && url === host.dataset.deployUrl) { host.dataset.dirty = "false"; }
    }

    modeler.get("eventBus").on("selection.changed", (event) => showPanel(event.newSelection[0]));
    document.body.addEventListener("tj-apply-properties", (event) => apply(event.detail));
    const check = document.getElementById("model-check");
    const deploy = document.getElementById("model-deploy");
    if (check) { check.addEventListener("click", () => send(host.dataset.checkUrl)); }
    if (deploy) { deploy.addEventListener("click", () => send(host.dataset.deployUrl)); }
    window.addEventListener("beforeunload", (event) => {
      if (host.dataset.dirty === "true") { event.preventDefault(); }
    });
    showPanel(null);
    window.tijianModeler = modeler; // for browser tests and the console
    host.dataset.rendered = "true";
  }

  start().catch((error) => {
    host.dataset.rendered = "error";
    problems.textContent = String(error);
  });
})();
