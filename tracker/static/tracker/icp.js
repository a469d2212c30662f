/* The ICP page: what the chosen field takes, under each rule's values; rescoring progress until done. */
(function () {
  "use strict";
  const help = JSON.parse(document.getElementById("field-help").textContent);
  document.querySelectorAll("table.criteria select[name$='-field']").forEach((select) => {
    const hint = select.closest("tr").querySelector(".values-hint");
    select.addEventListener("change", () => { if (hint) hint.textContent = help[select.value] || ""; });
  });
  const box = document.getElementById("rescore");
  if (!box || box.dataset.status !== "running") return;
  const timer = setInterval(async () => {
    try {
      const response = await fetch(box.dataset.url, { credentials: "same-origin" });
      if (!response.ok) return;
      const { job, status, done, total, percent } = await response.json();
      if (!job) return;
      document.getElementById("rescore-bar").value = percent;
      document.getElementById("rescore-text").textContent = `${status} · ${done} / ${total} leads`;
      box.dataset.status = status;
      if (status !== "running") clearInterval(timer);
    } catch (error) { /* offline: try again */ }
  }, 2000);
})();
