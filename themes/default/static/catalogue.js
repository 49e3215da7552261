// Catalogue tables: sort by any column (click or Enter on a header button)
// and filter the rows of this page by text and status, counting the rows
// shown. Works on the table the server rendered; without JavaScript the
// table stays as it is, in catalogue order.
const ORDER = ["current", "amended", "pending", "superseded", "repealed", "invalid", "expired"];

for (const table of document.querySelectorAll("table.catalogue")) {
  const body = table.tBodies[0];
  const rows = [...body.rows];
  const cellKey = (row, k) => {
    const cell = row.cells[k];
    if (!cell) return "";
    if (cell.dataset.sort) return String(ORDER.indexOf(cell.dataset.sort)).padStart(2, "0");
    const time = cell.querySelector("time");
    return time ? time.getAttribute("datetime") : cell.textContent.trim();
  };
  const collator = new Intl.Collator(document.documentElement.lang || "zh", { numeric: true });
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, k) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.append(button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const h of heads) h.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const sorted = [...body.rows].sort((a, b) => {
        const x = cellKey(a, k), y = cellKey(b, k);
        if (!x !== !y) return x ? -1 : 1; // empty cells last
        return ascending ? collator.compare(x, y) : collator.compare(y, x);
      });
      body.append(...sorted);
    });
  });

  const tools = table.closest(".table-scroll")?.previousElementSibling;
  if (!tools || !tools.matches("[data-table-tools]")) continue;
  tools.hidden = false;
  const text = tools.querySelector("[data-filter-text]");
  const boxes = [...tools.querySelectorAll("[data-filter-status]")];
  const count = document.querySelector(".count strong");
  const apply = () => {
    const words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const wanted = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    let shown = 0;
    for (const row of rows) {
      const status = (row.className.match(/\brow-(\w+)/) || [])[1];
      const hay = row.textContent.toLowerCase();
      const keep = (!wanted.size || wanted.has(status)) && words.every((w) => hay.includes(w));
      row.classList.toggle("filtered-out", !keep);
      if (keep) shown += 1;
    }
    if (count) count.textContent = shown;
  };
  text.addEventListener("input", apply);
  for (const box of boxes) box.addEventListener("change", apply);
}
