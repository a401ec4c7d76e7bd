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
.note { color: var(--muted); background: var(--grey); padding: 10px 12px; border-radius: 6px; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 8px; }
.figure { border-radius: 6px; padding: 8px 10px; background: #eef5fb; }
.figure .label { font-size: 12px; color: var(--muted); }
.figure .value { font-size: 22px; font-weight: 600; }
.figure .detail { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.figure.unknown { background: var(--grey); }
.figure.unknown .value { color: #8a8a8a; font-weight: 500; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 16px; }
figure.chart { margin: 0; }
figure.chart details { font-size: 12px; color: var(--muted); margin-top: 4px; }
.vega { min-height: 40px; }
table.accuracy { border-collapse: collapse; width: 100%; font-size: 14px; }
table.accuracy caption { text-align: left; color: var(--muted); font-size: 13px; margin-bottom: 6px; }
table.accuracy th, table.accuracy td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; }
table.accuracy .num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
dl.record { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
dl.record dt { color: var(--muted); }
dl.record dd { margin: 0; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
footer { color: var(--muted); font-size: 12px; padding-top: 24px; padding-bottom: 24px; }
`;

export const PAGE_SCRIPT = `
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
