/* Resilience Map page: the map, the message dispatch and the choropleth.
 *
 * Python decides what to draw and in which colours; this page only applies it. Every
 * message arrives as JSON with an "op" naming one of the HANDLERS below (the list must
 * match resilience_map/maps/protocol.py; a test compares them). An unknown op is
 * reported back, never ignored. Text from the project is inserted with textContent
 * (never innerHTML), and the page's Content-Security-Policy forbids inline scripts
 * and eval, so a name such as <img src=x onerror=...> shows literally and never runs.
 */
"use strict";

const RM = (() => {
  const NO_DATA = { fillColor: "#d9d9d9", fillOpacity: 0.55, color: "#9e9e9e", weight: 0.6, dashArray: "3 3" };
  const SELECTED = { color: "#e6550d", weight: 3.5, dashArray: null };
  const PARTICIPANT = { color: "#c51b8a", weight: 2.5, dashArray: null };
  // a city over its member municipalities (Skopje): a dashed line, never a fill that hides them
  const OUTLINE = { fill: false, color: "#252525", weight: 2, opacity: 0.9, dashArray: "6 3" };
  // country borders: above the municipal borders, darker and wider than any of them
  const BORDER = { fill: false, color: "#1a1a1a", weight: 2.6, opacity: 0.85, interactive: false };
  const PANES = ["municipalities", "coverage", "scn", "activities", "labels"];

  const ctx = {
    map: null, bridge: null, basemap: null,
    state: {
      data: null, styles: {}, legend: null, nameForm: "latin", selected: null, participants: new Set(),
      polygonLayers: {}, seatLayers: {}, outlineIds: new Set(), groups: {}, borders: null,
      ready: false, fitPending: false, hiddenLayers: new Set(), deferred: false,
    },
    post: post, el: el, fmt: fmt, nameOf: nameOf, anchorOf: anchorOf, clickUnit: clickUnit,
  };
  const state = ctx.state;

  // --- talking to Python -----------------------------------------------------------------
  function post(op, fields) {
    if (ctx.bridge) ctx.bridge.receive(JSON.stringify(Object.assign({ op: op }, fields || {})));
  }

  const HANDLERS = {
    load: load, style: applyStyle, select: select, view: setView, ask_bounds: askBounds,
    basemap: setBasemap, visibility: setVisibility, order: setOrder,
    opacity: setOpacity, name_form: setNameForm, borders: setBorders,
    credits: (m) => RMPanels.renderCredits(ctx, m.lines, m.short),
    activities: (m) => RMSymbols.filterActivities(ctx, m.visible),
    patch_activities: (m) => RMSymbols.patchActivities(ctx, m),
    patch_coverage: (m) => { RMSymbols.patchCoverage(ctx, m.coverage); RMPanels.renderSummary(ctx, m.summary); },
    patch_names: patchNames,
    participants: highlightParticipants,
    guide: (m) => RMPanels.renderGuide(ctx, m.title, m.lines),
  };

  function handle(text) {
    let message;
    try { message = JSON.parse(text); } catch (error) {
      post("page_error", { message: "unreadable message: " + error });
      return;
    }
    dispatch(message);
  }

  // A message already read (the exported offline page hands its inlined messages here).
  function dispatch(message) {
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, message.op) ? HANDLERS[message.op] : null;
    if (!handler) { post("unknown_op", { received: String(message.op) }); return; }
    try { handler(message); } catch (error) {
      post("page_error", { message: message.op + ": " + error });
    }
  }

  // --- small helpers (text only, never HTML) ------------------------------------------------
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
  function anchorOf(id) {
    const a = state.data && state.data.anchors[id];
    return a ? L.latLng(a[1], a[0]) : null;
  }
  // ``event``: the Leaflet click, when there was one (the offline page opens a popup there)
  function clickUnit(id, event) { post("unit_clicked", { id: id }); }

  // --- start-up --------------------------------------------------------------------------------
  function start() {
    const map = L.map("map", {
      center: [42.6, 20.4], zoom: 7, minZoom: 5, maxZoom: 16, zoomSnap: 0.25, zoomDelta: 0.5,
      preferCanvas: true,
    });
    ctx.map = map;
    L.control.scale({ imperial: false }).addTo(map);
    PANES.forEach((name, i) => { map.createPane("rm-" + name).style.zIndex = String(400 + i * 10); });
    // Borders in a pane just above the municipalities; it takes no clicks, so the areas below get them.
    const borders = map.createPane("rm-borders");
    borders.style.zIndex = "405";
    borders.style.pointerEvents = "none";
    state.borderRenderer = L.svg({ pane: "rm-borders", padding: 0.1 });
    // One canvas for polygons and seat circles: stacked canvases would swallow each other's clicks.
    // Leaflet's default padding (10% beyond the view): a wider canvas costs memory at every size.
    state.renderer = L.canvas({ pane: "rm-municipalities", padding: 0.1, tolerance: 3 });
    RMPanels.create(ctx);
    map.on("zoomend moveend", () => RMLabels.place(ctx));
    window.addEventListener("error", (e) => post("page_error", {
      message: e.message + " (" + String(e.filename || "").split("/").pop() + ":" + e.lineno + ")",
    }));
    if (typeof QWebChannel !== "function" || !window.qt) return;  // the offline page: no bridge
    new QWebChannel(qt.webChannelTransport, (channel) => {
      ctx.bridge = channel.objects.bridge;
      ctx.bridge.send.connect(handle);
      post("ready");
    });
  }

  // --- a project ---------------------------------------------------------------------------------
  // The coloured areas are drawn first, in one task; symbols and names follow right after the
  // first frame (they cost as much again to lay out), so the choropleth appears sooner.
  const DEFERRED = ["coverage", "scn", "activities", "labels"];

  function load(message) {
    Object.values(state.groups).forEach((g) => ctx.map.removeLayer(g));
    state.data = message;
    state.selected = null;  // Python sends the selection again if it still holds
    state.participants = new Set();
    state.hiddenLayers = new Set(message.hidden);
    state.polygonLayers = {};
    state.seatLayers = {};
    state.outlineIds = new Set(message.outlines.features.map((f) => f.id));
    state.groups = {};
    if (message.style) applyStyle(message.style);  // before the areas exist: they are made coloured
    const municipalities = L.geoJSON(message.polygons, {
      pane: "rm-municipalities", renderer: state.renderer,
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
    // cities over their members: lines on top, selectable by the line, the members by their area
    message.outlines.features.forEach((f) => {
      const line = L.polyline(rings(f.geometry), Object.assign(
        { pane: "rm-municipalities", renderer: state.renderer }, styleFor(f.id)));
      wireUnit(f.id, line);
      municipalities.addLayer(line);
    });
    state.groups.municipalities = municipalities;
    state.groups.coverage = RMSymbols.buildCoverage(ctx, message.coverage);
    state.groups.scn = RMSymbols.buildScn(ctx, message.scn);
    state.groups.activities = RMSymbols.buildActivities(ctx, message.activities);
    state.groups.labels = L.layerGroup();
    RMPanels.setBadge(ctx, message.synthetic);
    renderSeats();
    RMPanels.renderSummary(ctx, message.summary);
    RMPanels.setSummaryVisible(ctx, !state.hiddenLayers.has("coverage"));
    // the view first, so the areas are projected once, at the zoom they are shown
    if (message.fit) { fitRegion(); state.fitPending = !message.style; }
    if (!state.hiddenLayers.has("municipalities")) municipalities.addTo(ctx.map);
    state.ready = true;
    state.deferred = true;
    requestAnimationFrame(() => setTimeout(addDeferred, 0));
  }

  function addDeferred() {
    if (!state.deferred) return;
    state.deferred = false;
    DEFERRED.forEach((name) => { if (!state.hiddenLayers.has(name)) state.groups[name].addTo(ctx.map); });
    RMLabels.place(ctx);
  }

  // The rings of a (multi)polygon as the lines of one polyline: only its stroke takes clicks.
  function rings(geometry) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    const out = [];
    polygons.forEach((polygon) => polygon.forEach((ring) => out.push(L.GeoJSON.coordsToLatLngs(ring, 0))));
    return out;
  }

  function setBorders(message) {
    if (state.borders) ctx.map.removeLayer(state.borders);
    state.borders = L.geoJSON(message.borders, {
      pane: "rm-borders", renderer: state.borderRenderer, interactive: false, style: () => BORDER,
    }).addTo(ctx.map);
  }

  function wireUnit(id, layer) {
    state[layer instanceof L.CircleMarker ? "seatLayers" : "polygonLayers"][id] = layer;
    layer.bindTooltip(() => tooltipFor(id), { sticky: true, direction: "top", opacity: 0.95 });
    layer.on("click", (event) => ctx.clickUnit(id, event));
  }

  function tooltipFor(id) {
    const box = el("div", "rm-tip");
    box.appendChild(el("div", "rm-tip-name", nameOf(id)));
    const style = state.styles[id];
    if (state.legend && !state.outlineIds.has(id)) {  // a city's outline: its name only
      const unit = state.legend.unit ? " " + state.legend.unit : "";
      const line = style ? fmt(style.v) + unit + " · class " + (style.k + 1) + " of " + state.legend.classes.length
        : "No data";
      box.appendChild(el("div", "rm-tip-value", line));
    }
    return box;
  }

  function renderSeats() { RMPanels.renderSeats(ctx, state.data.seat_only, state.data.seat_note); }

  function patchNames(message) {
    Object.assign(state.data.names, message.names);
    state.data.label_order = message.label_order;
    ctx.map.removeLayer(state.groups.scn);
    state.groups.scn = RMSymbols.buildScn(ctx, message.scn);
    if (!state.hiddenLayers.has("scn") && !state.deferred) state.groups.scn.addTo(ctx.map);
    RMPanels.renderSummary(ctx, message.summary);
    renderSeats();
    RMLabels.place(ctx);
  }

  // --- views -----------------------------------------------------------------------------------------
  // Padding keeps what is shown clear of the legend column on the right (and of controls on
  // the left, where a page has some: ctx.leftWidth, the offline page's indicator switcher).
  function padding(extra) {
    const column = RMPanels.columnWidth(ctx);
    const left = ctx.leftWidth ? ctx.leftWidth() : 0;
    return { paddingTopLeft: [extra + left, extra], paddingBottomRight: [extra + column, extra] };
  }

  function fitBounds(b, extra, options) {
    ctx.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], Object.assign(padding(extra), { animate: false }, options));
  }

  function fitRegion() {
    if (!state.data) return;
    state.fittedColumn = RMPanels.columnWidth(ctx);
    fitBounds(state.data.bounds, 10);
  }

  // Leaflet ignores a new view requested while a zoom animation runs: wait for it to end.
  function whenIdle(fn) {
    if (ctx.map._animatingZoom) ctx.map.once("zoomend", () => whenIdle(fn));
    else fn();
  }

  function setView(message) {
    whenIdle(() => {
      if (message.bounds) fitBounds(message.bounds, 0, { padding: [0, 0], paddingTopLeft: [0, 0], paddingBottomRight: [0, 0] });
      else fitRegion();
    });
  }

  function currentBounds() {
    const b = ctx.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }

  function askBounds(message) { post("bounds", { token: message.token, bounds: currentBounds() }); }

  // --- choropleth ---------------------------------------------------------------------------------------
  function styleFor(id) {
    const s = state.styles[id];
    let style = s ? { fillColor: s.c, fillOpacity: 0.8, color: "#ffffff", weight: 0.7, dashArray: null }
      : Object.assign({}, NO_DATA);
    if (state.outlineIds.has(id)) style = Object.assign({}, OUTLINE);
    if (state.participants.has(id)) style = Object.assign(style, PARTICIPANT);
    if (state.selected === id) style = Object.assign(style, SELECTED);
    return style;
  }

  // Only the units whose colour, class or value changed are restyled, and the legend is redrawn
  // only when it changed: one edited value repaints one area, not the region.
  function applyStyle(message) {
    const started = performance.now();
    const before = state.styles || {};
    state.styles = message.styles || {};
    restyle(changedIds(before, state.styles));
    const legendKey = JSON.stringify(message.legend || null);
    if (legendKey !== state.legendKey) {
      state.legendKey = legendKey;
      state.legend = message.legend || null;
      RMPanels.renderLegend(ctx, state.legend);
    }
    if (state.fitPending) {  // refit only if the legend changed the room beside the column
      state.fitPending = false;
      if (RMPanels.columnWidth(ctx) !== state.fittedColumn) fitRegion();
    }
    state.lastApplyMs = performance.now() - started;
    // acknowledged at the next frame, i.e. once the new colours can be on screen
    if (message.token) requestAnimationFrame(() => post("style_applied", { token: message.token }));
  }

  function changedIds(before, after) {
    const out = [];
    Object.keys(after).forEach((id) => { if (!sameStyle(before[id], after[id])) out.push(id); });
    Object.keys(before).forEach((id) => { if (!(id in after)) out.push(id); });
    return out;
  }

  function sameStyle(a, b) {
    if (!a || !b) return a === b;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
  }

  function restyle(ids) {
    ids.forEach((id) => {
      if (state.polygonLayers[id]) state.polygonLayers[id].setStyle(styleFor(id));
      if (state.seatLayers[id]) state.seatLayers[id].setStyle(styleFor(id));
    });
  }

  // --- selection -------------------------------------------------------------------------------------------
  function select(message) {
    const previous = state.selected;
    state.selected = message.id || null;
    restyle([previous, state.selected].filter(Boolean));
    const layer = state.polygonLayers[state.selected] || state.seatLayers[state.selected];
    if (!layer) return;
    if (layer.bringToFront) layer.bringToFront();
    if (!message.zoom) return;
    whenIdle(() => {
      if (layer.getBounds) {
        ctx.map.fitBounds(layer.getBounds(), Object.assign(padding(30), { maxZoom: 10 }));
      } else ctx.map.setView(layer.getLatLng(), Math.max(ctx.map.getZoom(), 10));
    });
  }

  function highlightParticipants(message) {
    const before = Array.from(state.participants);
    state.participants = new Set(message.ids);
    restyle(before.concat(message.ids));
    RMSymbols.markActivity(ctx, message.activity);
  }

  // --- layers and display ------------------------------------------------------------------------------------
  function setVisibility(message) {
    if (message.visible) state.hiddenLayers.delete(message.layer); else state.hiddenLayers.add(message.layer);
    if (message.layer === "coverage") RMPanels.setSummaryVisible(ctx, message.visible);
    const group = state.groups[message.layer];
    if (!group || (state.deferred && DEFERRED.indexOf(message.layer) >= 0)) return;  // added when due
    if (message.visible) { group.addTo(ctx.map); if (message.layer === "labels") RMLabels.place(ctx); }
    else ctx.map.removeLayer(group);
  }

  function setOrder(message) {  // bottom → top
    message.layers.forEach((name, i) => {
      const pane = ctx.map.getPane("rm-" + name);
      if (pane) pane.style.zIndex = String(400 + i * 10);
      if (name === "municipalities") ctx.map.getPane("rm-borders").style.zIndex = String(405 + i * 10);
    });
  }

  function setOpacity(message) {
    const pane = ctx.map.getPane("rm-" + message.layer);
    if (pane) pane.style.opacity = String(message.opacity);
  }

  function setNameForm(message) {
    state.nameForm = message.form || "latin";
    if (state.data) renderSeats();
    RMLabels.place(ctx);
  }

  function setBasemap(message) {
    if (message.on && !ctx.basemap) {
      ctx.basemap = L.tileLayer(message.url, { attribution: message.attribution, maxZoom: 18 }).addTo(ctx.map);
    } else if (!message.on && ctx.basemap) {
      ctx.map.removeLayer(ctx.basemap);
      ctx.basemap = null;
    }
  }

  return { start: start, ctx: ctx, handlers: HANDLERS, dispatch: dispatch, fitRegion: fitRegion };
})();

document.addEventListener("DOMContentLoaded", RM.start);
