// Exports page: follow queued and running exports until their file is ready, without reloading.
const POLL_MS = 1000;

function follow(row) {
  const tick = async () => {
    let data;
    try {
      const response = await fetch(row.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (error) {
      setTimeout(tick, POLL_MS * 3);
      return;
    }
    row.dataset.status = data.status;
    const state = row.querySelector("[data-state]");
    if (data.status === "queued" || data.status === "running") {
      state.innerHTML = "";
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = data.percent;
      bar.setAttribute("aria-label", "Progress");
      const label = document.createElement("span");
      label.dataset.label = "";
      label.textContent = ` ${data.label}` + (data.total ? ` ${data.done.toLocaleString()} of ${data.total.toLocaleString()}` : "");
      state.append(bar, label);
      setTimeout(tick, POLL_MS);
      return;
    }
    state.textContent = data.label + (data.error ? ` (${data.error})` : "");
    row.querySelector("[data-rows]").textContent = data.rows.toLocaleString();
    if (data.download) {
      const link = document.createElement("a");
      link.href = data.download;
      link.textContent = "Download";
      row.querySelector("[data-link]").replaceChildren(link);
    }
  };
  tick();
}

document.querySelectorAll("tr[data-export]").forEach((row) => {
  if (row.dataset.status === "queued" || row.dataset.status === "running") follow(row);
});

// An export written just now (small ones are written during the request): start its download.
const fresh = document.querySelector("a[data-download-now]");
if (fresh) window.location.assign(fresh.href);
