// The 对照表 page: a pair of versions picked in the form opens their
// comparison page; unchanged rows are hidden unless asked for.
const form = document.querySelector(".compare-pick");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let from = form.elements.from.value;
    let to = form.elements.to.value;
    if (from === to) return;
    if (from > to) [from, to] = [to, from];
    location.href = `${form.dataset.compareBase}${from}/${to}/`;
  });
}
const toggle = document.getElementById("show-unchanged");
if (toggle) {
  const table = document.querySelector(".compare-table");
  const apply = () => table.classList.toggle("show-unchanged", toggle.checked);
  toggle.addEventListener("change", apply);
  apply();
}
