// Keyboard shortcuts for the inbox: j/k move, o or Enter open, c claim, / focus the search.
(function () {
  "use strict";
  let current = -1;
  const rows = () => Array.from(document.querySelectorAll("#inbox-rows tr.task-row"));
  function select(index) {
    const all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === current));
    all[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    const row = rows()[current];
    if (event.key === "j") { select(current + 1); }
    else if (event.key === "k") { select(current - 1); }
    else if ((event.key === "o" || event.key === "Enter") && row) { row.querySelector("a.open").click(); }
    else if (event.key === "c" && row && row.querySelector("button.claim")) { row.querySelector("button.claim").click(); }
    else if (event.key === "/") { event.preventDefault(); document.getElementById("inbox-search").focus(); }
    else { return; }
  });
  document.body.addEventListener("htmx:afterSwap", () => { current = -1; });
  document.body.dataset.inboxKeys = "on";  // lets tests (and people) know the keys work now
})();
