// Point-in-time views: with `?as_of=YYYY-MM-DD` in the URL, every status
// badge, count and document banner is recomputed for that date from the
// published events (lifecycle.json), by the same rules as gazette's Rust
// lifecycle (src/catalogue/lifecycle.rs); documents not yet issued on that
// date leave the listings. Without the parameter (or without JavaScript)
// the pages keep the build date's view.

// Statuses in the order that breaks ties between terminal events of one day.
const ORDER = ["pending", "current", "amended", "superseded", "repealed", "invalid", "expired"];
const TERMINAL = { superseded: "superseded", repealed: "repealed", declared_invalid: "invalid", expired: "expired" };

/** Status on `on` (ISO date) of a document whose events are `[date, kind]` pairs. */
export function statusAt(events, on) {
  let terminal = null;
  for (const [date, kind] of events) {
    const status = TERMINAL[kind];
    if (!status || date > on) continue;
    if (!terminal || date < terminal[0] || (date === terminal[0] && ORDER.indexOf(status) < ORDER.indexOf(terminal[1]))) {
      terminal = [date, status];
    }
  }
  if (terminal) return terminal[1];
  const starts = events.filter(([, kind]) => kind === "effective").map(([date]) => date).sort();
  if (starts.length && starts[0] > on) return "pending";
  return events.some(([date, kind]) => kind === "amended" && date <= on) ? "amended" : "current";
}

/** Index of the version in force on `on`, or -1 (versions are `[date, effective, url]`). */
export function versionAt(versions, status, on) {
  if (status !== "current" && status !== "amended") return -1;
  let found = -1;
  versions.forEach(([, effective], k) => {
    if (effective <= on) found = k;
  });
  return found;
}

function requestedDate() {
  const value = new URLSearchParams(location.search).get("as_of") || "";
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

async function apply(on, form) {
  const response = await fetch(form.dataset.lifecycle);
  if (!response.ok) return;
  const docs = new Map((await response.json()).map((d) => [d.id, d]));
  const label = (status) => form.dataset["status" + status[0].toUpperCase() + status.slice(1)];
  const statusOf = new Map();
  for (const [id, doc] of docs) {
    const issued = !doc.published || doc.published <= on;
    statusOf.set(id, issued ? statusAt(doc.events, on) : null);
  }
  const setBadge = (badge, status) => {
    badge.className = `status status-${status}`;
    badge.textContent = label(status);
  };
  for (const table of document.querySelectorAll("table.catalogue")) {
    let shown = 0;
    for (const row of table.querySelectorAll("tbody tr[data-id]")) {
      const status = statusOf.get(row.dataset.id);
      row.hidden = !status;
      if (!status) continue;
      shown += 1;
      row.className = `row-${status}`;
      const badge = row.querySelector(".status");
      if (badge) setBadge(badge, status);
    }
    const count = document.querySelector(".count strong");
    if (count) count.textContent = shown;
  }
  const counts = {};
  for (const status of statusOf.values()) if (status) counts[status] = (counts[status] || 0) + 1;
  for (const el of document.querySelectorAll("[data-status-count]")) {
    el.textContent = counts[el.dataset.statusCount] || 0;
  }
  const article = document.querySelector("article.document[data-id]");
  if (article) showDocument(article, docs.get(article.dataset.id), statusOf, on, form, setBadge);
  form.classList.add("active");
}

function showDocument(article, doc, statusOf, on, form, setBadge) {
  if (!doc) return;
  const status = statusOf.get(doc.id);
  const note = document.createElement("div");
  note.className = "banner as-of-note";
  note.setAttribute("role", "note");
  const text = document.createElement("p");
  note.append(text);
  if (!status) {
    text.textContent = form.dataset.notIssued.replace("{date}", on);
  } else {
    const badge = document.createElement("span");
    setBadge(badge, status);
    text.append(form.dataset.view.replace("{date}", on), " ", badge);
    const k = versionAt(doc.versions, status, on);
    if (k >= 0 && doc.versions[k][2]) {
      const link = document.createElement("a");
      link.href = form.dataset.base + doc.versions[k][2];
      link.textContent = `${doc.versions[k][0]}`;
      const p = document.createElement("p");
      p.append(form.dataset.version, " ", link);
      note.append(p);
    }
  }
  note.dataset.status = status || "not_issued";
  article.querySelector(".banner")?.before(note);
  for (const badge of article.querySelectorAll(".meta .status")) if (status) setBadge(badge, status);
}

const form = document.querySelector("form.as-of");
const on = requestedDate();
if (form && on) {
  form.elements.as_of.value = on;
  apply(on, form);
}
