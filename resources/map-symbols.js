/* Point symbols: prevention structures, Strong Cities Network members, hub activities.
 *
 * Symbols are kept by municipality (structures) and by place (activities), so an edit
 * replaces only the symbols it touched (patchCoverage, patchActivities).
 */
"use strict";

const RMSymbols = (() => {
  const STRUCTURE_SHAPES = {
    community_action_team: "circle", local_prevention_council: "square",
    local_public_safety_council: "diamond", municipal_community_safety_council: "triangle",
    local_safety_council: "hexagon", municipal_safety_council: "pentagon", other: "circle",
  };
  const STRUCTURE_COLORS = {
    community_action_team: "#d95f02", local_prevention_council: "#1b9e77",
    local_public_safety_council: "#7570b3", municipal_community_safety_council: "#e7298a",
    local_safety_council: "#66a61e", municipal_safety_council: "#e6ab02", other: "#666666",
  };
  const ACTIVITY_LETTERS = {
    workshop: "W", roundtable: "R", national_exchange: "X", city_consultation: "C",
    training: "T", grant: "G", launch: "L", convening: "M",
  };

  function shapePath(shape, r) {
    const c = 8;
    const poly = (n, rot) => Array.from({ length: n }, (_, i) => {
      const a = rot + (2 * Math.PI * i) / n;
      return (c + r * Math.cos(a)).toFixed(2) + "," + (c + r * Math.sin(a)).toFixed(2);
    }).join(" ");
    switch (shape) {
      case "square": return ["rect", { x: c - r * 0.8, y: c - r * 0.8, width: r * 1.6, height: r * 1.6 }];
      case "diamond": return ["polygon", { points: poly(4, 0) }];
      case "triangle": return ["polygon", { points: poly(3, -Math.PI / 2) }];
      case "hexagon": return ["polygon", { points: poly(6, 0) }];
      case "pentagon": return ["polygon", { points: poly(5, -Math.PI / 2) }];
      default: return ["circle", { cx: c, cy: c, r: r }];
    }
  }

  function svgSymbol(shape, fill, status) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    const [tag, attrs] = shapePath(shape, 6);
    const node = document.createElementNS(ns, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
    node.setAttribute("stroke", "#333");
    node.setAttribute("stroke-width", "1.6");
    node.setAttribute("fill", status === "planned" ? "#ffffff" : fill);
    if (status === "dormant") { node.setAttribute("fill-opacity", "0.35"); node.setAttribute("stroke-dasharray", "2 1.5"); }
    if (status === "unknown") node.setAttribute("fill-opacity", "0.6");
    svg.appendChild(node);
    return svg;
  }

  // --- prevention structures --------------------------------------------------------------------
  function buildCoverage(ctx, coverage) {
    const group = L.layerGroup();
    ctx.state.coverageMarkers = {};
    Object.entries(coverage).forEach(([id, items]) => addCoverage(ctx, group, id, items));
    return group;
  }

  function addCoverage(ctx, group, id, items) {
    const at = ctx.anchorOf(id);
    if (!at || !items.length) return;
    const holder = ctx.el("div", "rm-coverage");
    items.forEach((item) => holder.appendChild(
      svgSymbol(STRUCTURE_SHAPES[item.t] || "circle", STRUCTURE_COLORS[item.t] || "#666", item.s)));
    const width = 16 * items.length;
    const marker = L.marker(at, {
      pane: "rm-coverage", keyboard: false,
      icon: L.divIcon({ html: holder, className: "rm-icon", iconSize: [width, 16], iconAnchor: [width / 2, -4] }),
    });
    marker.bindTooltip(() => {
      const tip = ctx.el("div", "rm-tip");
      tip.appendChild(ctx.el("div", "rm-tip-name", ctx.nameOf(id)));
      items.forEach((item) => tip.appendChild(ctx.el("div", "",
        item.label + " — " + item.status + (item.name ? " (" + item.name + ")" : ""))));
      return tip;
    }, { direction: "top" });
    marker.on("click", () => ctx.clickUnit(id));
    ctx.state.coverageMarkers[id] = marker;
    group.addLayer(marker);
  }

  function patchCoverage(ctx, coverage) {
    const group = ctx.state.groups.coverage;
    Object.entries(coverage).forEach(([id, items]) => {
      const old = ctx.state.coverageMarkers[id];
      if (old) { group.removeLayer(old); delete ctx.state.coverageMarkers[id]; }
      ctx.state.data.coverage[id] = items;
      addCoverage(ctx, group, id, items);
    });
  }

  // --- Strong Cities Network members --------------------------------------------------------------
  function buildScn(ctx, members) {
    const group = L.layerGroup();
    members.forEach((m) => {
      const at = ctx.anchorOf(m.id);
      if (!at) return;
      const marker = L.marker(at, {
        pane: "rm-scn", keyboard: false,
        icon: L.divIcon({ html: ctx.el("div", "rm-scn-star", "★"), className: "rm-icon", iconSize: [16, 16], iconAnchor: [8, 20] }),
      });
      marker.bindTooltip(() => ctx.el("div", "rm-tip",
        ctx.nameOf(m.id) + " — Strong Cities Network member since " + m.since), { direction: "top" });
      group.addLayer(marker);
    });
    return group;
  }

  // --- hub activities: spread on a small ring where several share a place ------------------------
  function placeKey(a) { return a.lat.toFixed(4) + "," + a.lon.toFixed(4); }

  function buildActivities(ctx, activities) {
    const group = L.layerGroup();
    ctx.state.activities = {};
    ctx.state.activityMarkers = {};
    activities.forEach((a) => { ctx.state.activities[a.id] = a; });
    ctx.state.visibleActivities = null;
    const places = new Set(activities.filter(placed).map(placeKey));
    places.forEach((key) => layPlace(ctx, group, key));
    return group;
  }

  function placed(a) { return a.lat !== null && a.lon !== null; }

  function layPlace(ctx, group, key) {
    const here = Object.values(ctx.state.activities).filter((a) => placed(a) && placeKey(a) === key);
    here.forEach((a, i) => {
      const radius = here.length > 1 ? 14 + here.length : 0;
      const angle = (2 * Math.PI * i) / here.length - Math.PI / 2;
      const offset = [radius * Math.cos(angle), radius * Math.sin(angle)];
      const marker = L.marker([a.lat, a.lon], { pane: "rm-activities", icon: activityIcon(ctx, a, offset), rmId: a.id });
      marker.bindPopup(() => popupFor(ctx, a), { maxWidth: 320 });
      marker.on("click", () => ctx.post("activity_clicked", { id: a.id }));
      ctx.state.activityMarkers[a.id] = marker;
      group.addLayer(marker);
    });
  }

  function activityIcon(ctx, a, offset) {
    const holder = ctx.el("div", "rm-activity rm-activity-" + a.type);
    holder.appendChild(ctx.el("span", "rm-activity-letter", ACTIVITY_LETTERS[a.type] || "?"));
    holder.title = a.typeLabel;
    return L.divIcon({ html: holder, className: "rm-icon", iconSize: [22, 22], iconAnchor: [11 - offset[0], 11 - offset[1]] });
  }

  function popupFor(ctx, a) {
    const box = ctx.el("div", "rm-popup");
    box.appendChild(ctx.el("div", "rm-popup-title", a.title));
    box.appendChild(ctx.el("div", "rm-popup-meta", a.typeLabel + " · " + a.dates + (a.host ? " · " + a.host : "")));
    if (a.count) box.appendChild(ctx.el("div", "", a.count + " participants"));
    if (a.participantNames.length) box.appendChild(ctx.el("div", "", "Municipalities: " + a.participantNames.join(", ")));
    if (a.partners.length) box.appendChild(ctx.el("div", "", "Partners: " + a.partners.join(", ")));
    if (a.topics.length) box.appendChild(ctx.el("div", "", "Topics: " + a.topics.join(", ")));
    if (a.outcomes) box.appendChild(ctx.el("div", "rm-popup-outcomes", a.outcomes));
    return box;
  }

  function patchActivities(ctx, message) {
    const group = ctx.state.groups.activities;
    const touched = new Set();
    const drop = (id) => {
      const old = ctx.state.activities[id];
      if (old && placed(old)) touched.add(placeKey(old));
      delete ctx.state.activities[id];
    };
    message.remove.forEach(drop);
    message.upsert.forEach((a) => { drop(a.id); ctx.state.activities[a.id] = a; if (placed(a)) touched.add(placeKey(a)); });
    Object.entries(ctx.state.activityMarkers).forEach(([id, marker]) => {
      if (!ctx.state.activities[id] || touched.has(markerPlace(marker))) {
        group.removeLayer(marker);
        delete ctx.state.activityMarkers[id];
      }
    });
    touched.forEach((key) => layPlace(ctx, group, key));
    filterActivities(ctx, message.visible);
  }

  function markerPlace(marker) {
    const at = marker.getLatLng();
    return at.lat.toFixed(4) + "," + at.lng.toFixed(4);
  }

  function filterActivities(ctx, visible) {
    const shown = new Set(visible);
    const group = ctx.state.groups.activities;
    Object.entries(ctx.state.activityMarkers).forEach(([id, marker]) => {
      const show = shown.has(id);
      if (show && !group.hasLayer(marker)) group.addLayer(marker);
      if (!show && group.hasLayer(marker)) group.removeLayer(marker);
    });
  }

  function markActivity(ctx, activityId) {
    Object.values(ctx.state.activityMarkers).forEach((m) => {
      const icon = m.getElement && m.getElement();
      if (icon) icon.classList.toggle("rm-activity-selected", m.options.rmId === activityId);
    });
  }

  return {
    buildCoverage: buildCoverage, patchCoverage: patchCoverage, buildScn: buildScn,
    buildActivities: buildActivities, patchActivities: patchActivities,
    filterActivities: filterActivities, markActivity: markActivity,
  };
})();
