/* The map's side column (demo badge, guide, legend, units at their seat, coverage
 * summary) and the credits in the attribution corner.
 *
 * The boxes live in ONE column at the top right, so they stack and never overlap each
 * other; the column has a fixed, narrow width and scrolls when the map is short, ends
 * above the credits in the bottom-right corner, and every box folds to its title line.
 * The region is fitted beside the column (columnWidth), so in the default view nothing
 * covers a municipality.
 */
"use strict";

const RMPanels = (() => {
  function box(ctx, className, parent) {
    const div = ctx.el("div", "rm-box " + className);
    parent.appendChild(div);
    return div;
  }

  function create(ctx) {
    const Column = L.Control.extend({
      onAdd: function () {
        const div = ctx.el("div", "rm-column");
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      },
    });
    const column = new Column({ position: "topright" }).addTo(ctx.map).getContainer();
    const panels = {
      column: column,
      badge: box(ctx, "rm-badge", column),
      guide: box(ctx, "rm-guide", column),
      legend: box(ctx, "rm-legend", column),
      seats: box(ctx, "rm-seats", column),
      summary: box(ctx, "rm-summary", column),
      folded: { guide: false, legend: false, summary: true, note: true, seatNote: true, credits: true },
      summaryLines: [],
      summaryVisible: true,
    };
    Object.values(panels).forEach((p) => { if (p && p.style) p.style.display = "none"; });
    column.style.display = "";
    // the credits: plain-text lines above Leaflet's own attribution (which keeps the basemap's)
    const Credits = L.Control.extend({
      onAdd: () => ctx.el("div", "leaflet-control-attribution rm-credits"),
    });
    panels.credits = new Credits({ position: "bottomright" }).addTo(ctx.map).getContainer();
    panels.credits.style.display = "none";
    ctx.panels = panels;
    ctx.map.on("resize", () => fitColumn(ctx));
    fitColumn(ctx);
  }

  // The column ends above whatever sits in the bottom-right corner (credits, attribution).
  function fitColumn(ctx) {
    const corner = ctx.panels.credits.parentNode;
    const below = corner ? corner.offsetHeight : 0;
    ctx.panels.column.style.maxHeight = Math.max(80, ctx.map.getSize().y - 20 - below) + "px";
  }

  function columnWidth(ctx) {
    const p = ctx.panels;
    const shown = ["badge", "guide", "legend", "seats", "summary"].some((name) => p[name].style.display !== "none");
    return shown ? p.column.offsetWidth + 10 : 0;
  }

  // A title line that folds its box's body; the state survives restyles.
  function foldable(ctx, target, key, title, body) {
    const p = ctx.panels;
    const head = ctx.el("div", "rm-title rm-toggle");
    head.appendChild(ctx.el("span", "", title));
    const arrow = ctx.el("span", "rm-arrow", p.folded[key] ? "▸" : "▾");
    head.appendChild(arrow);
    head.title = "Click to fold or unfold";
    body.style.display = p.folded[key] ? "none" : "";
    head.addEventListener("click", () => {
      p.folded[key] = !p.folded[key];
      body.style.display = p.folded[key] ? "none" : "";
      arrow.textContent = p.folded[key] ? "▸" : "▾";
      fitColumn(ctx);  // the credits in the corner below may have grown or shrunk
    });
    target.appendChild(head);
    target.appendChild(body);
  }

  function setBadge(ctx, text) {
    const badge = ctx.panels.badge;
    badge.textContent = text || "";
    badge.style.display = text ? "" : "none";
  }

  function renderLegend(ctx, legend) {
    const target = ctx.panels.legend;
    target.replaceChildren();
    target.style.display = legend ? "" : "none";
    if (!legend) return;
    const body = ctx.el("div", "rm-body");
    body.appendChild(ctx.el("div", "rm-sub", legend.subtitle + (legend.unit ? " · " + legend.unit : "")));
    if (legend.method) body.appendChild(ctx.el("div", "rm-sub", legend.method));
    legend.classes.slice().reverse().forEach((c) => {
      body.appendChild(row(ctx, c.color, c.label || ctx.fmt(c.lower) + " – " + ctx.fmt(c.upper), c.count, false));
    });
    body.appendChild(row(ctx, legend.no_data_color, "No data", legend.no_data_count, true));
    const note = ctx.el("div", "rm-note");
    foldable(ctx, note, "note", "About the colours", ctx.el("div", "", legend.note));
    body.appendChild(note);
    // the demo badge above says "not study results"; an exported image has it in its title bar
    foldable(ctx, target, "legend", legend.title, body);
  }

  function row(ctx, color, text, count, dashed) {
    const line = ctx.el("div", "rm-row" + (count === 0 ? " rm-empty" : ""));
    const swatch = ctx.el("span", "rm-swatch" + (dashed ? " rm-swatch-nodata" : ""));
    swatch.style.background = color;
    line.appendChild(swatch);
    line.appendChild(ctx.el("span", "rm-range", text));
    line.appendChild(ctx.el("span", "rm-count", String(count)));
    return line;
  }

  function renderSummary(ctx, lines) {
    const p = ctx.panels;
    p.summaryLines = lines || [];
    p.summary.replaceChildren();
    p.summary.style.display = p.summaryLines.length && p.summaryVisible ? "" : "none";
    if (!p.summaryLines.length) return;
    const body = ctx.el("div", "rm-body");
    p.summaryLines.forEach((line) => body.appendChild(ctx.el("div", "rm-line", line)));
    foldable(ctx, p.summary, "summary", "Prevention-structure coverage", body);
  }

  function setSummaryVisible(ctx, visible) {
    ctx.panels.summaryVisible = visible;
    ctx.panels.summary.style.display = visible && ctx.panels.summaryLines.length ? "" : "none";
  }

  // The first line always shows; the rest folds away, folded at first on a short map.
  function renderGuide(ctx, title, lines) {
    const target = ctx.panels.guide;
    target.replaceChildren();
    target.style.display = title ? "" : "none";
    if (!title) return;
    target.appendChild(ctx.el("div", "rm-title", title));
    if (lines.length) target.appendChild(ctx.el("p", "rm-line", lines[0]));
    if (lines.length < 2) return;
    if (ctx.panels.folded.more === undefined) ctx.panels.folded.more = ctx.map.getSize().y < 600;
    const more = ctx.el("div", "rm-body");
    lines.slice(1).forEach((line) => more.appendChild(ctx.el("p", "rm-line", line)));
    foldable(ctx, target, "more", "More", more);
  }

  // Units drawn at their seat for want of a polygon: named (in the chosen name form), with the
  // circle they are drawn as and, folded, how to give them a polygon.
  function renderSeats(ctx, ids, note) {
    const target = ctx.panels.seats;
    target.replaceChildren();
    target.style.display = ids.length ? "" : "none";
    if (!ids.length) return;
    const body = ctx.el("div", "rm-body");
    const line = ctx.el("div", "rm-row");
    line.appendChild(ctx.el("span", "rm-swatch rm-swatch-seat"));
    line.appendChild(ctx.el("span", "rm-names", "drawn at their seat: " + ids.map(ctx.nameOf).join(", ")));
    body.appendChild(line);
    if (note) {
      const more = ctx.el("div", "rm-note");
      foldable(ctx, more, "seatNote", "How to draw them", ctx.el("div", "", note));
      body.appendChild(more);
    }
    if (ctx.panels.folded.seats === undefined) ctx.panels.folded.seats = ids.length > 8;  // a long list
    foldable(ctx, target, "seats", "Without a boundary polygon (" + ids.length + ")", body);
  }

  // One short line naming the providers, the full lines (citations, licences) folded behind it;
  // without a short line, the full lines.
  function renderCredits(ctx, lines, short) {
    const target = ctx.panels.credits;
    target.replaceChildren();
    target.style.display = lines.length || short ? "" : "none";
    const body = ctx.el("div", "rm-body");
    lines.forEach((line) => body.appendChild(ctx.el("div", "rm-credit", line)));
    if (short) foldable(ctx, target, "credits", short, body);
    else target.appendChild(body);
    fitColumn(ctx);
  }

  return {
    create: create, columnWidth: columnWidth, setBadge: setBadge, renderLegend: renderLegend,
    renderSummary: renderSummary, setSummaryVisible: setSummaryVisible, renderGuide: renderGuide,
    renderSeats: renderSeats, renderCredits: renderCredits,
  };
})();
