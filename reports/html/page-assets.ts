/** The report page's stylesheet and the script that draws its charts (no library of its own). */

export const PAGE_CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #5a5a5a; --line: #dcdcdc; --grey: #f2f2f2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
.sub { color: var(--muted); margin: 0 0 8px; }
.warn { background: #fff4d6; border-left: 4px solid #E69F00; padding: 6px 10px; margin: 8px 0; }
.ci { color: var(--muted); font-size: 12px; white-space: nowrap; }
.latency-table { margin-bottom: 22px; }
.note { color: var(--muted); background: var(--grey); padding: 10px 12px; border-radius: 6px; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(540px, 100%), 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 8px; }
.figure { border-radius: 6px; padding: 8px 10px; background: #eef5fb; }
.figure .label { font-size: 12px; color: var(--muted); }
.figure .value { font-size: 22px; font-weight: 600; }
.figure .detail { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.figure.unknown { background: var(--grey); }
.figure.unknown .value { color: #8a8a8a; font-weight: 500; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(540px, 100%), 1fr)); gap: 16px; }
figure.chart { margin: 0; }
figure.chart + figure.chart { margin-top: 24px; }
figure.chart details { font-size: 12px; color: var(--muted); margin-top: 4px; }
.vega { min-height: 40px; max-width: 100%; overflow-x: auto; }
section { overflow-x: auto; }
@media (max-width: 640px) {
  header, main, footer { padding: 0 12px; }
  .figures { grid-template-columns: repeat(2, 1fr); }
  table.accuracy { font-size: 12px; }
}
table.accuracy { border-collapse: collapse; width: 100%; font-size: 14px; }
table.accuracy caption { text-align: left; color: var(--muted); font-size: 13px; margin-bottom: 6px; }
table.accuracy th, table.accuracy td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; }
table.accuracy .num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
dl.record { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
dl.record dt { color: var(--muted); }
dl.record dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
table.accuracy .yes { font-weight: 600; }
table.comparisons { margin-top: 24px; }
.case-filter { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0 12px; font-size: 14px; }
.case-filter input { width: 360px; max-width: 100%; font: inherit; padding: 4px 8px; border: 1px solid #bbb; border-radius: 4px; }
.case-filter select { font: inherit; padding: 3px 6px; }
#case-count { color: var(--muted); }
article.case { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin-bottom: 12px; }
article.case h3 { overflow-wrap: anywhere; }
article.case .expected { margin: 4px 0 8px; font-size: 14px; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 10px; padding: 1px 8px; margin-left: 6px; vertical-align: 1px; }
.badge.failed { background: #fbe3d6; color: #8a3300; }
.badge.disagree { background: #e1eefa; color: #004a78; }
.case-models { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 10px; }
.case-model { background: #fafafa; border-radius: 6px; padding: 8px 10px; font-size: 13px; min-width: 0; }
.case-model h4 { margin: 0 0 4px; font-size: 13px; overflow-wrap: anywhere; }
.case-model pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; max-height: 12em; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 4px 6px; font-size: 12px; }
.case-model ul { margin: 6px 0 0; padding-left: 18px; overflow-wrap: anywhere; }
.case-model .none { color: var(--muted); margin: 0; }
.case-model .error { color: #8a3300; margin: 4px 0 0; overflow-wrap: anywhere; }
.status { font-weight: 500; font-size: 12px; margin-left: 4px; }
.status.ok { color: #00704f; }
.status.failed { color: #8a3300; }
footer { color: var(--muted); font-size: 12px; padding-top: 24px; padding-bottom: 24px; }
`;

export const PAGE_SCRIPT = `
(function () {
  // The case browser's filter: rows are shown or hidden by their text; nothing is written as HTML.
  var query = document.getElementById("case-query");
  var kind = document.getElementById("case-kind");
  var count = document.getElementById("case-count");
  var cases = Array.prototype.slice.call(document.querySelectorAll("article.case"));
  var texts = cases.map(function (c) { return c.textContent.toLowerCase(); });
  function filter() {
    var words = query.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var wanted = kind.value;
    var shown = 0;
    cases.forEach(function (c, i) {
      var match = (!wanted || (" " + c.getAttribute("data-kinds") + " ").indexOf(" " + wanted + " ") >= 0) &&
        words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      c.hidden = !match;
      if (match) shown++;
    });
    count.textContent = shown + " of " + cases.length + " shown";
  }
  if (query && kind && count) {
    query.addEventListener("input", filter);
    kind.addEventListener("change", filter);
    filter();
  }
})();
(function () {
  var specs = JSON.parse(document.getElementById("opbench-charts").textContent);
  if (typeof vegaEmbed !== "function") return;
  specs.forEach(function (chart) {
    var element = document.getElementById(chart.id);
    vegaEmbed(element, chart.spec, { renderer: "svg", actions: false }).catch(function (error) {
      element.textContent = "This chart could not be drawn: " + error.message;
      console.error(error);
    });
  });
})();
`;
