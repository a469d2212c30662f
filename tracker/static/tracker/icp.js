/* The ICP page: under each rule's values, what its field takes (the allowed values as choices to tap,
 * for fields with a closed list); rescoring progress until done. Without it the page still works: the
 * values are typed, and the server maps and checks them. */
(function () {
  "use strict";
  const help = JSON.parse(document.getElementById("field-help").textContent);
  const closed = JSON.parse(document.getElementById("closed-choices").textContent);
  // An answer rule reads one of the sponsor's questions: its picker shows for those rules only, and
  // the values offered are that question's answers.
  const questionChoices = JSON.parse(document.getElementById("question-choices").textContent);
  const listed = (input) => input.value.split(",").map((v) => v.trim()).filter(Boolean);

  function choices(row, field) {
    const hint = row.querySelector(".values-hint");
    const input = row.querySelector("input[name$='-values']");
    if (!hint || !input) return;
    const question = row.querySelector("select[name$='-question']");
    if (question) question.hidden = field !== "answer";
    const offered = field === "answer" && question ? (questionChoices[question.value] || []).map((c) => [c, c]) : closed[field];
    if (!offered || !offered.length) { hint.textContent = help[field] || ""; return; }
    hint.replaceChildren(...offered.map(([key, label]) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip-toggle small";
      chip.textContent = key;
      chip.title = label;
      chip.setAttribute("aria-label", `${key}: ${label}`);
      chip.setAttribute("aria-pressed", String(listed(input).includes(key)));
      chip.addEventListener("click", () => {
        const values = listed(input);
        const next = values.includes(key) ? values.filter((v) => v !== key) : [...values, key];
        input.value = next.join(", ");
        chip.setAttribute("aria-pressed", String(next.includes(key)));
      });
      return chip;
    }));
  }

  document.querySelectorAll("table.criteria select[name$='-field']").forEach((select) => {
    const row = select.closest("tr");
    select.addEventListener("change", () => choices(row, select.value));
    const question = row.querySelector("select[name$='-question']");
    if (question) question.addEventListener("change", () => choices(row, select.value));
    choices(row, select.value);
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
