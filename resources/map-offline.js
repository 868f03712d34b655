/* The exported offline page (one HTML file, no Qt, no network): start it from its inlined data.
 *
 * The data are the app's own protocol messages (load, borders, credits, name form) and one
 * style message per indicator, all computed in Python; they go through the same handlers
 * as in the app (RM.dispatch). What only this page has: its title, an indicator switcher
 * and layer toggles (Leaflet's layer control), and popups where the app would select the
 * municipality. Text reaches Leaflet's layer control (which inserts HTML) only escaped.
 */
"use strict";

const RMOffline = (() => {
  let payload = null;
  let current = null;
  const LAYERS = { municipalities: "Municipalities", coverage: "Prevention structures",
    scn: "Strong Cities Network members", activities: "Hub activities", labels: "Labels" };

  function start() {
    const data = document.getElementById("rm-data");
    if (!data) return;
    payload = JSON.parse(data.textContent);
    const ctx = RM.ctx;
    ctx.map.attributionControl.setPrefix(false);
    ctx.clickUnit = (id, event) => openPopup(id, event);
    payload.messages.forEach((message) => RM.dispatch(message));
    current = payload.offline.initial;
    const left = [addTitle(ctx), addLayerControl(ctx)];
    // the region is fitted between these and the legend column (both stay clear of it)
    ctx.leftWidth = () => Math.max(...left.map((c) => c.offsetWidth)) + 10;
    RM.fitRegion();
    document.title = payload.offline.title;
  }

  function escaped(text) {
    const entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
    return String(text).replace(/[&<>"']/g, (c) => entities[c]);
  }

  function addTitle(ctx) {
    const Title = L.Control.extend({
      onAdd: () => {
        const div = ctx.el("div", "rm-box rm-offline-title");
        div.appendChild(ctx.el("div", "rm-title", payload.offline.title));
        div.appendChild(ctx.el("div", "rm-sub", payload.offline.subtitle));
        L.DomEvent.disableClickPropagation(div);
        return div;
      },
    });
    return new Title({ position: "topleft" }).addTo(ctx.map).getContainer();
  }

  function addLayerControl(ctx) {
    const bases = {};
    payload.offline.indicators.forEach((ind) => {
      const marker = L.layerGroup([], { rmIndicator: ind.code });
      bases[escaped(ind.code + " – " + ind.name)] = marker;
      if (ind.code === current) marker.addTo(ctx.map);
    });
    const overlays = {};
    Object.entries(LAYERS).forEach(([key, label]) => {
      if (ctx.state.groups[key]) overlays[escaped(label)] = ctx.state.groups[key];
    });
    const control = L.control.layers(bases, overlays, { collapsed: false, position: "topleft" }).addTo(ctx.map);
    ctx.map.on("baselayerchange", (e) => {
      current = e.layer.options.rmIndicator;
      RM.dispatch(payload.styles[current]);
    });
    // keep the page's own record of hidden layers (deferred layers, the coverage summary)
    const layerKey = (layer) => Object.keys(LAYERS).find((key) => ctx.state.groups[key] === layer);
    ctx.map.on("overlayadd overlayremove", (e) => {
      const key = layerKey(e.layer);
      if (key) RM.dispatch({ op: "visibility", layer: key, visible: e.type === "overlayadd" });
    });
    return control.getContainer();
  }

  function popupFor(id) {
    const ctx = RM.ctx, state = ctx.state;
    const box = ctx.el("div", "rm-popup");
    box.appendChild(ctx.el("div", "rm-popup-title", ctx.nameOf(id)));
    const style = state.styles[id];
    if (state.legend && !state.outlineIds.has(id)) {
      const unit = state.legend.unit ? " " + state.legend.unit : "";
      box.appendChild(ctx.el("div", "rm-popup-meta", state.legend.title + " · " + state.legend.subtitle));
      box.appendChild(ctx.el("div", "", style ? ctx.fmt(style.v) + unit : "No data"));
    }
    ((state.data && state.data.coverage[id]) || []).forEach((item) => box.appendChild(
      ctx.el("div", "", item.label + " — " + item.status + (item.name ? " (" + item.name + ")" : ""))));
    if (state.data && state.data.synthetic) box.appendChild(ctx.el("div", "rm-popup-meta", state.data.synthetic));
    return box;
  }

  function openPopup(id, event) {
    const at = event && event.latlng ? event.latlng : RM.ctx.anchorOf(id);
    if (at) L.popup({ maxWidth: 320 }).setLatLng(at).setContent(popupFor(id)).openOn(RM.ctx.map);
  }

  return { start: start, popupFor: popupFor, indicator: () => current };
})();

document.addEventListener("DOMContentLoaded", RMOffline.start);
