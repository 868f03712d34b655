/* Resilience Map page logic.
 *
 * Python decides what to draw and in which colours; this file only applies it.
 * Data arrive over QWebChannel as JSON. Every piece of text coming from the
 * project is inserted with textContent (never innerHTML), so a name such as
 * <img src=x onerror=...> shows literally and never runs.
 */
"use strict";

const RM = (() => {
  // One canvas for polygons and seat circles: stacked canvases would swallow each other's clicks.
  const PANES = ["municipalities", "coverage", "scn", "activities", "labels"];
  const NO_DATA = { fillColor: "#d9d9d9", fillOpacity: 0.55, color: "#9e9e9e", weight: 0.6, dashArray: "3 3" };
  const SELECTED = { color: "#e6550d", weight: 3.5, dashArray: null };
  const PARTICIPANT = { color: "#c51b8a", weight: 2.5, dashArray: null };
  const OUTLINE = { fill: false, color: "#252525", weight: 2, opacity: 0.9, dashArray: "6 3" };
  const BORDER = { fill: false, color: "#1a1a1a", weight: 2.6, opacity: 0.85, dashArray: null };

  let map = null;
  let bridge = null;
  let basemap = null;
  const state = {
    data: null, styles: {}, legend: null, nameForm: "latin", selected: null,
    participants: new Set(), outlineIds: new Set(), polygonLayers: {}, seatLayers: {}, activityMarkers: {},
    labelMarkers: [], groups: {}, ready: false,
  };

  // --- small DOM helpers (text only, never HTML) -------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(value) {
    if (value === null || value === undefined) return "";
    const abs = Math.abs(value);
    const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
    return Number(value).toLocaleString("en-GB", { maximumFractionDigits: digits });
  }
  function nameOf(id) {
    const names = state.data && state.data.names[id];
    if (!names) return "";
    return names[state.nameForm] || names.latin;
  }

  // --- start-up --------------------------------------------------------------------------
  function prepare(leafletMap) {
    map = leafletMap;
    PANES.forEach((name, i) => {
      const pane = map.createPane("rm-" + name);
      pane.style.zIndex = String(400 + i * 10);
    });
    state.renderer = L.canvas({ pane: "rm-municipalities", padding: 0.3, tolerance: 3 });
    addControls();
    map.on("zoomend moveend", placeLabels);
  }

  function start(leafletMap) {
    prepare(leafletMap);
    new QWebChannel(qt.webChannelTransport, (channel) => {
      bridge = channel.objects.bridge;
      bridge.command.connect((message) => handle(JSON.parse(message)));
      bridge.pageReady();
    });
  }

  function handle(message) {
    const ops = {
      load: load, style: applyStyle, select: select, activities: filterActivities,
      visibility: setVisibility, order: setOrder, opacity: setOpacity, nameForm: setNameForm,
      basemap: setBasemap, participants: highlightParticipants, view: setView,
      snapshot: prepareSnapshot, eval: evaluate,
    };
    const op = ops[message.op];
    if (op) op(message);
  }

  // --- controls: legend, demo badge, coverage summary -----------------------------------------
  function addControls() {
    const Box = L.Control.extend({
      onAdd: function () {
        const div = el("div", "rm-box " + this.options.className);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      },
    });
    state.legendBox = new Box({ position: "bottomright", className: "rm-legend" }).addTo(map).getContainer();
    state.badgeBox = new Box({ position: "topright", className: "rm-badge" }).addTo(map).getContainer();
    state.summaryBox = new Box({ position: "bottomleft", className: "rm-summary" }).addTo(map).getContainer();
    state.badgeBox.style.display = "none";
    state.summaryBox.style.display = "none";
  }

  function renderLegend() {
    const box = state.legendBox;
    box.replaceChildren();
    const legend = state.legend;
    if (!legend) { box.style.display = "none"; return; }
    box.style.display = "";
    box.appendChild(el("div", "rm-legend-title", legend.title));
    box.appendChild(el("div", "rm-legend-sub", legend.subtitle + (legend.unit ? " · " + legend.unit : "")));
    legend.classes.slice().reverse().forEach((c) => {
      const row = el("div", "rm-legend-row");
      const swatch = el("span", "rm-swatch");
      swatch.style.background = c.color;
      row.appendChild(swatch);
      row.appendChild(el("span", "rm-legend-range", fmt(c.lower) + " – " + fmt(c.upper)));
      row.appendChild(el("span", "rm-legend-count", "(" + c.count + ")"));
      box.appendChild(row);
    });
    const nd = el("div", "rm-legend-row");
    const sw = el("span", "rm-swatch rm-swatch-nodata");
    sw.style.background = legend.no_data_color;
    nd.appendChild(sw);
    nd.appendChild(el("span", "rm-legend-range", "No data"));
    nd.appendChild(el("span", "rm-legend-count", "(" + legend.no_data_count + ")"));
    box.appendChild(nd);
    box.appendChild(el("div", "rm-legend-note", legend.note));
    if (legend.synthetic_label) box.appendChild(el("div", "rm-legend-synthetic", legend.synthetic_label));
  }

  // --- data ------------------------------------------------------------------------------------
  function load(message) {
    Object.values(state.groups).forEach((g) => map.removeLayer(g));
    state.data = message;
    state.polygonLayers = {};
    state.seatLayers = {};
    state.groups = {};
    const municipalities = L.geoJSON(message.polygons, {
      pane: "rm-municipalities",
      renderer: state.renderer,
      style: (feature) => styleFor(feature.id),
      onEachFeature: (feature, layer) => wireUnit(feature.id, layer),
    });
    // units without a boundary: circles at their seat, in the same colours, drawn on top
    message.seats.forEach((s) => {
      const marker = L.circleMarker([s.lat, s.lon], Object.assign(
        { pane: "rm-municipalities", renderer: state.renderer, radius: 6 }, styleFor(s.id)));
      wireUnit(s.id, marker);
      municipalities.addLayer(marker);
    });
    // a city over its member municipalities (Skopje): a line on top, clickable, never a fill
    state.outlineIds = new Set(((message.outlines || {}).features || []).map((f) => f.id));
    L.geoJSON(message.outlines || { type: "FeatureCollection", features: [] }, {
      pane: "rm-municipalities",
      renderer: state.renderer,
      style: (feature) => styleFor(feature.id),
      onEachFeature: (feature, layer) => wireUnit(feature.id, layer),
    }).eachLayer((layer) => municipalities.addLayer(layer));
    // country borders above the municipal ones; not clickable
    L.geoJSON(message.borders || { type: "FeatureCollection", features: [] }, {
      pane: "rm-municipalities", renderer: state.renderer, interactive: false,
      style: () => BORDER,
    }).eachLayer((layer) => municipalities.addLayer(layer));
    state.groups.municipalities = municipalities;
    state.groups.coverage = buildCoverage(message.coverage || {});
    state.groups.scn = buildScn(message.scn || []);
    state.groups.activities = buildActivities(message.activities || []);
    state.groups.labels = L.layerGroup();
    Object.entries(state.groups).forEach(([name, group]) => {
      if (!message.hidden || message.hidden.indexOf(name) < 0) group.addTo(map);
    });
    state.badgeBox.style.display = message.synthetic ? "" : "none";
    state.badgeBox.textContent = message.synthetic || "";
    renderSummary(message.summary || []);
    if (message.fit !== false) fitRegion();
    state.ready = true;
    placeLabels();
  }

  function wireUnit(id, layer) {
    if (layer.setStyle) state[layer instanceof L.CircleMarker ? "seatLayers" : "polygonLayers"][id] = layer;
    layer.bindTooltip(() => tooltipFor(id), { sticky: true, direction: "top", opacity: 0.95 });
    layer.on("click", () => { if (bridge) bridge.municipalityClicked(id); });
    if (state.offline) layer.bindPopup(() => unitPopup(id), { maxWidth: 320 });
  }

  function tooltipFor(id) {
    const box = el("div", "rm-tip");
    box.appendChild(el("div", "rm-tip-name", nameOf(id)));
    const style = state.styles[id];
    if (state.legend && !state.outlineIds.has(id)) {
      const line = style
        ? fmt(style.v) + (state.legend.unit ? " " + state.legend.unit : "") + " · class " + (style.k + 1) + " of " + state.legend.classes.length
        : "No data";
      box.appendChild(el("div", "rm-tip-value", line));
    }
    return box;
  }

  function fitRegion() {
    const b = state.data.bounds;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [10, 10], animate: false });
  }

  // Leaflet ignores a new view requested while a zoom animation runs: wait for it to end.
  function whenIdle(fn) {
    if (map._animatingZoom) map.once("zoomend", () => whenIdle(fn));
    else fn();
  }

  // --- choropleth style -----------------------------------------------------------------------
  function styleFor(id) {
    const s = state.styles[id];
    let style = s
      ? { fillColor: s.c, fillOpacity: 0.8, color: "#ffffff", weight: 0.7, dashArray: null }
      : Object.assign({}, NO_DATA);
    if (state.outlineIds && state.outlineIds.has(id)) style = Object.assign({}, OUTLINE);
    if (state.participants.has(id)) style = Object.assign(style, PARTICIPANT);
    if (state.selected === id) style = Object.assign(style, SELECTED);
    return style;
  }

  function applyStyle(message) {
    const started = performance.now();
    state.styles = message.styles || {};
    state.legend = message.legend || null;
    restyleAll();
    renderLegend();
    // acknowledged at the next frame, i.e. once the new colours can be on screen
    state.lastApplyMs = performance.now() - started;
    if (message.token && bridge) requestAnimationFrame(() => bridge.styleApplied(message.token));
  }

  function restyleAll() {
    for (const [id, layer] of Object.entries(state.polygonLayers)) layer.setStyle(styleFor(id));
    for (const [id, layer] of Object.entries(state.seatLayers)) layer.setStyle(styleFor(id));
  }

  function restyle(ids) {
    ids.forEach((id) => {
      if (state.polygonLayers[id]) state.polygonLayers[id].setStyle(styleFor(id));
      if (state.seatLayers[id]) state.seatLayers[id].setStyle(styleFor(id));
    });
  }

  // --- selection ------------------------------------------------------------------------------
  function select(message) {
    const previous = state.selected;
    state.selected = message.id || null;
    restyle([previous, state.selected].filter(Boolean));
    const layer = state.polygonLayers[state.selected] || state.seatLayers[state.selected];
    if (!layer) return;
    if (layer.bringToFront) layer.bringToFront();
    if (message.zoom) {
      whenIdle(() => {
        if (layer.getBounds) map.fitBounds(layer.getBounds(), { maxZoom: 10, padding: [30, 30] });
        else map.setView(layer.getLatLng(), Math.max(map.getZoom(), 10));
      });
    }
  }

  function highlightParticipants(message) {
    const before = Array.from(state.participants);
    state.participants = new Set(message.ids || []);
    restyle(before.concat(message.ids || []));
    Object.values(state.activityMarkers).forEach((m) => {
      const icon = m.getElement && m.getElement();
      if (icon) icon.classList.toggle("rm-activity-selected", m.options.rmId === message.activity);
    });
  }

  function setView(message) {
    whenIdle(() => {
      if (message.bounds) {
        const b = message.bounds;
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [10, 10], animate: false });
      } else fitRegion();
    });
  }

  // --- coverage, SCN, activities ----------------------------------------------------------------
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

  function svgSymbol(shape, fill, stroke, status) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    const [tag, attrs] = shapePath(shape, 6);
    const node = document.createElementNS(ns, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
    node.setAttribute("stroke", stroke);
    node.setAttribute("stroke-width", "1.6");
    node.setAttribute("fill", status === "planned" ? "#ffffff" : fill);
    if (status === "dormant") { node.setAttribute("fill-opacity", "0.35"); node.setAttribute("stroke-dasharray", "2 1.5"); }
    if (status === "unknown") node.setAttribute("fill-opacity", "0.6");
    svg.appendChild(node);
    return svg;
  }

  function anchorOf(id) {
    const a = state.data.anchors[id];
    return a ? L.latLng(a[1], a[0]) : null;
  }

  function buildCoverage(coverage) {
    const group = L.layerGroup();
    Object.entries(coverage).forEach(([id, items]) => {
      const at = anchorOf(id);
      if (!at) return;
      const holder = el("div", "rm-coverage");
      items.forEach((item) => {
        const color = STRUCTURE_COLORS[item.t] || "#666";
        holder.appendChild(svgSymbol(STRUCTURE_SHAPES[item.t] || "circle", color, "#333", item.s));
      });
      const width = 16 * items.length;
      const marker = L.marker(at, {
        pane: "rm-coverage", keyboard: false,
        icon: L.divIcon({ html: holder, className: "rm-icon", iconSize: [width, 16], iconAnchor: [width / 2, -4] }),
      });
      marker.bindTooltip(() => {
        const box = el("div", "rm-tip");
        box.appendChild(el("div", "rm-tip-name", nameOf(id)));
        items.forEach((item) => box.appendChild(el("div", "", item.label + " — " + item.status + (item.name ? " (" + item.name + ")" : ""))));
        return box;
      }, { direction: "top" });
      marker.on("click", () => { if (bridge) bridge.municipalityClicked(id); });
      group.addLayer(marker);
    });
    return group;
  }

  function buildScn(members) {
    const group = L.layerGroup();
    members.forEach((m) => {
      const at = anchorOf(m.id);
      if (!at) return;
      const marker = L.marker(at, {
        pane: "rm-scn", keyboard: false,
        icon: L.divIcon({ html: el("div", "rm-scn-star", "★"), className: "rm-icon", iconSize: [16, 16], iconAnchor: [8, 20] }),
      });
      marker.bindTooltip(() => el("div", "rm-tip", nameOf(m.id) + " — Strong Cities Network member since " + m.since), { direction: "top" });
      group.addLayer(marker);
    });
    return group;
  }

  const ACTIVITY_SHAPES = {
    workshop: "circle", roundtable: "square", national_exchange: "diamond", city_consultation: "triangle",
    training: "hexagon", grant: "pentagon", launch: "circle", convening: "square",
  };
  const ACTIVITY_LETTERS = {
    workshop: "W", roundtable: "R", national_exchange: "X", city_consultation: "C",
    training: "T", grant: "G", launch: "L", convening: "M",
  };

  function activityIcon(a, offset) {
    const holder = el("div", "rm-activity rm-activity-" + a.type);
    holder.appendChild(el("span", "rm-activity-letter", ACTIVITY_LETTERS[a.type] || "?"));
    holder.title = a.typeLabel;
    return L.divIcon({ html: holder, className: "rm-icon", iconSize: [22, 22],
      iconAnchor: [11 - offset[0], 11 - offset[1]] });
  }

  function buildActivities(activities) {
    const group = L.layerGroup();
    state.activityMarkers = {};
    const byPlace = {};
    activities.forEach((a) => {
      if (a.lat === null || a.lon === null) return;
      const key = a.lat.toFixed(4) + "," + a.lon.toFixed(4);
      (byPlace[key] = byPlace[key] || []).push(a);
    });
    Object.values(byPlace).forEach((list) => {
      list.forEach((a, i) => {
        // markers in one town are spread on a small ring so each stays clickable
        const radius = list.length > 1 ? 14 + list.length : 0;
        const angle = (2 * Math.PI * i) / list.length - Math.PI / 2;
        const offset = [radius * Math.cos(angle), radius * Math.sin(angle)];
        const marker = L.marker([a.lat, a.lon], { pane: "rm-activities", icon: activityIcon(a, offset), rmId: a.id });
        marker.bindPopup(() => popupFor(a), { maxWidth: 320 });
        marker.on("click", () => { if (bridge) bridge.activityClicked(a.id); });
        state.activityMarkers[a.id] = marker;
        group.addLayer(marker);
      });
    });
    return group;
  }

  function popupFor(a) {
    const box = el("div", "rm-popup");
    box.appendChild(el("div", "rm-popup-title", a.title));
    box.appendChild(el("div", "rm-popup-meta", a.typeLabel + " · " + a.dates + (a.host ? " · " + a.host : "")));
    if (a.count) box.appendChild(el("div", "", a.count + " participants"));
    if (a.participantNames.length) box.appendChild(el("div", "", "Municipalities: " + a.participantNames.join(", ")));
    if (a.partners.length) box.appendChild(el("div", "", "Partners: " + a.partners.join(", ")));
    if (a.topics.length) box.appendChild(el("div", "", "Topics: " + a.topics.join(", ")));
    if (a.outcomes) box.appendChild(el("div", "rm-popup-outcomes", a.outcomes));
    return box;
  }

  function filterActivities(message) {
    const visible = new Set(message.visible);
    const group = state.groups.activities;
    Object.entries(state.activityMarkers).forEach(([id, marker]) => {
      const show = visible.has(id);
      if (show && !group.hasLayer(marker)) group.addLayer(marker);
      if (!show && group.hasLayer(marker)) group.removeLayer(marker);
    });
  }

  // --- labels with decluttering ---------------------------------------------------------------
  function placeLabels() {
    const group = state.groups.labels;
    if (!state.ready || !group || !map.hasLayer(group)) return;
    group.clearLayers();
    const size = map.getSize();
    const taken = [];
    const ranked = state.data.labelOrder || [];
    for (const id of ranked) {
      const at = anchorOf(id);
      if (!at) continue;
      const p = map.latLngToContainerPoint(at);
      if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) continue;
      const text = nameOf(id);
      const w = 6.5 * text.length + 6, h = 14;
      const box = [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
      if (taken.some((t) => box[0] < t[2] && box[2] > t[0] && box[1] < t[3] && box[3] > t[1])) continue;
      taken.push(box);
      group.addLayer(L.marker(at, {
        pane: "rm-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ html: el("span", "rm-label", text), className: "rm-icon rm-label-icon", iconSize: [w, h], iconAnchor: [w / 2, h / 2] }),
      }));
    }
  }

  function setNameForm(message) {
    state.nameForm = message.form || "latin";
    placeLabels();
  }

  // --- layer panel: visibility, order, opacity, basemap --------------------------------------------
  function setVisibility(message) {
    const group = state.groups[message.layer];
    if (!group) return;
    if (message.layer === "coverage") state.summaryBox.style.visibility = message.visible ? "" : "hidden";
    if (message.visible) { group.addTo(map); if (message.layer === "labels") placeLabels(); }
    else map.removeLayer(group);
  }

  function setOrder(message) {
    // message.layers: bottom → top
    message.layers.forEach((name, i) => {
      const pane = map.getPane("rm-" + name);
      if (pane) pane.style.zIndex = String(400 + i * 10);
    });
  }

  function setOpacity(message) {
    const pane = map.getPane("rm-" + message.layer);
    if (pane) pane.style.opacity = String(message.opacity);
  }

  function setBasemap(message) {
    if (message.on && !basemap) {
      basemap = L.tileLayer(message.url, { attribution: message.attribution, maxZoom: 18 }).addTo(map);
    } else if (!message.on && basemap) {
      map.removeLayer(basemap);
      basemap = null;
    }
  }

  function renderSummary(lines) {
    const box = state.summaryBox;
    box.replaceChildren();
    box.style.display = lines.length ? "" : "none";
    if (!lines.length) return;
    const title = el("div", "rm-legend-title rm-toggle", "Prevention-structure coverage ▾");
    const body = el("div", "rm-summary-body");
    lines.forEach((line) => body.appendChild(el("div", "rm-summary-line", line)));
    title.title = "Click to fold or unfold";
    title.addEventListener("click", () => {
      const folded = body.style.display === "none";
      body.style.display = folded ? "" : "none";
      title.textContent = "Prevention-structure coverage " + (folded ? "▾" : "▸");
    });
    box.appendChild(title);
    box.appendChild(body);
  }

  // --- evaluation for tests and tools: the answer goes back over the channel -----------------
  function evaluate(message) {
    let text = "";
    try {
      const value = (0, eval)(message.script);  // global scope, like the browser console
      text = JSON.stringify(value === undefined ? null : value);
    } catch (error) {
      text = "";
    }
    if (bridge) bridge.evalResult(message.token, text);
  }

  // --- snapshots: tell Python once the requested view has been drawn ----------------------------
  function prepareSnapshot(message) {
    document.body.classList.toggle("rm-export", Boolean(message.exportMode));
    whenIdle(() => requestAnimationFrame(() => requestAnimationFrame(() => {
      if (bridge) bridge.snapshotReady(message.token || "");
    })));
  }

  function currentBounds() {
    const b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  // --- the exported offline page: data inlined, no bridge ------------------------------------------
  // Python still decides every colour: the payload carries one style message per indicator.
  function startOffline(leafletMap, payload) {
    state.offline = payload;
    state.nameForm = payload.nameForm || "latin";
    prepare(leafletMap);
    load(payload.load);
    addOfflineControls(payload);
    if (payload.initial) applyStyle(payload.styles[payload.initial]);
    document.title = payload.title;
  }

  // Text reaches Leaflet's layer control (which inserts HTML) only escaped.
  function escaped(text) {
    return el("span", "", text).innerHTML;
  }

  function addOfflineControls(payload) {
    const Box = L.Control.extend({
      onAdd: function () {
        const div = el("div", "rm-box " + this.options.className);
        L.DomEvent.disableClickPropagation(div);
        return div;
      },
    });
    const title = new Box({ position: "topleft", className: "rm-title" }).addTo(map).getContainer();
    title.appendChild(el("div", "rm-legend-title", payload.title));
    title.appendChild(el("div", "rm-legend-sub", payload.subtitle));
    const credits = new Box({ position: "bottomleft", className: "rm-credits" }).addTo(map).getContainer();
    payload.credits.forEach((line) => credits.appendChild(el("div", "", line)));
    const bases = {};
    payload.indicators.forEach((ind) => {
      const marker = L.layerGroup([], { rmIndicator: ind.code });
      bases[escaped(ind.code + " – " + ind.name)] = marker;
      if (ind.code === payload.initial) marker.addTo(map);
    });
    const overlays = {};
    const names = { municipalities: "Municipalities", coverage: "Prevention structures",
      scn: "Strong Cities Network members", activities: "Hub activities", labels: "Labels" };
    Object.entries(names).forEach(([key, label]) => { if (state.groups[key]) overlays[label] = state.groups[key]; });
    L.control.layers(bases, overlays, { collapsed: false, position: "topright" }).addTo(map);
    map.on("baselayerchange", (e) => {
      state.indicator = e.layer.options.rmIndicator;
      applyStyle(payload.styles[state.indicator]);
    });
    state.indicator = payload.initial;
  }

  function unitPopup(id) {
    const box = el("div", "rm-popup");
    box.appendChild(el("div", "rm-popup-title", nameOf(id)));
    const style = state.styles[id];
    if (state.legend) {
      box.appendChild(el("div", "rm-popup-meta", state.legend.title + " · " + state.legend.subtitle));
      box.appendChild(el("div", "", style ? fmt(style.v) + (state.legend.unit ? " " + state.legend.unit : "") : "No data"));
    }
    ((state.data && state.data.coverage[id]) || []).forEach((item) =>
      box.appendChild(el("div", "", item.label + " — " + item.status + (item.name ? " (" + item.name + ")" : ""))));
    if (state.data && state.data.synthetic) box.appendChild(el("div", "rm-legend-synthetic", state.data.synthetic));
    return box;
  }

  // --- hooks for tests and snapshots ----------------------------------------------------------------
  const probe = {
    ready: () => state.ready,
    fillOf: (id) => {
      const layer = state.polygonLayers[id] || state.seatLayers[id];
      return layer ? layer.options.fillColor : null;
    },
    legendText: () => state.legendBox.textContent,
    visibleActivities: () => Object.keys(state.activityMarkers).filter((id) => state.groups.activities.hasLayer(state.activityMarkers[id])),
    labelCount: () => state.groups.labels ? state.groups.labels.getLayers().length : 0,
    clickAt: (id) => {
      // A real mouse click on the canvas at a point inside the unit, as a user would make.
      const at = anchorOf(id);
      const p = map.latLngToContainerPoint(at);
      const rect = map.getContainer().getBoundingClientRect();
      const target = document.elementFromPoint(rect.left + p.x, rect.top + p.y);
      ["mousedown", "mouseup", "click"].forEach((type) => target.dispatchEvent(new MouseEvent(type, {
        bubbles: true, cancelable: true, clientX: rect.left + p.x, clientY: rect.top + p.y, button: 0, view: window,
      })));
      return target.tagName;
    },
    zoom: () => map.getZoom(),
    center: () => [map.getCenter().lat, map.getCenter().lng],
    selected: () => state.selected,
    bounds: currentBounds,
    lastApplyMs: () => state.lastApplyMs,
    coverageOf: (id) => ((state.data && state.data.coverage[id]) || []).map((c) => c.t + ":" + c.s),
    polygonCount: () => Object.keys(state.polygonLayers).length,
    drawnCount: () => Object.values(state.polygonLayers).filter((l) => l._parts && l._parts.length > 0).length,
    indicator: () => state.indicator,
    popupText: (id) => unitPopup(id).textContent,
  };

  return { start: start, startOffline: startOffline, probe: probe, bounds: currentBounds };
})();

document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("rm-data");
  if (data) {
    const payload = JSON.parse(data.textContent);
    const map = L.map("rm-map", { preferCanvas: true, zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 5, maxZoom: 16 });
    map.attributionControl.setPrefix(false);
    L.control.scale().addTo(map);
    RM.startOffline(map, payload);
    return;
  }
  const map = window[window.RM_MAP_NAME];
  if (map) RM.start(map);
});
