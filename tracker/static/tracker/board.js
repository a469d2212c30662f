/* Refreshes the live booth board every 10 s without reloading the page. */
(function () {
  "use strict";
  const board = document.getElementById("board");
  const cell = (tag, text, cls) => { const n = document.createElement(tag); n.textContent = text; if (cls) n.className = cls; return n; };
  async function refresh() {
    try {
      const response = await fetch(board.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const stats = await response.json();
      document.querySelectorAll("[data-field]").forEach((node) => {
        const value = stats[node.dataset.field];
        if (value !== undefined) node.textContent = node.dataset.field === "zone" ? `(${value})` : value;
      });
      document.getElementById("grades").replaceChildren(...Object.entries(stats.grades).map(([grade, n]) => {
        const li = cell("li", ` ${n}`); li.prepend(cell("span", grade, `grade grade-${grade}`)); return li;
      }));
      document.getElementById("per-staff").replaceChildren(...stats.per_staff.map((row) => {
        const tr = document.createElement("tr");
        tr.append(cell("td", row.name), cell("td", row.today, "num"), cell("td", row.total, "num"));
        return tr;
      }));
      document.getElementById("per-hour").replaceChildren(...stats.per_hour.map((row) => {
        const li = document.createElement("li");
        const bar = cell("span", "", "bar"); bar.style.setProperty("--n", row.scans);
        li.append(cell("span", row.hour), bar, cell("span", row.scans));
        return li;
      }));
      board.dataset.refreshed = stats.updated_at;
    } catch (error) { /* offline: keep the last figures */ }
  }
  // A bar's length comes from its count (set here: the content security policy allows no style attribute).
  document.querySelectorAll("#per-hour .bar[data-n]").forEach((bar) => bar.style.setProperty("--n", bar.dataset.n));
  setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") refresh(); });
  window.boothBoard = { refresh };
})();
