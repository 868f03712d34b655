/* Test-only probe of the map page (injected by tests_helpers.page_eval, never shipped). */
"use strict";
if (!window.RMProbe) {
  window.RMProbe = (() => {
    const ctx = RM.ctx, state = RM.ctx.state;
    const layerOf = (id) => state.polygonLayers[id] || state.seatLayers[id];
    return {
      ready: () => state.ready,
      fillOf: (id) => { const layer = layerOf(id); return layer ? layer.options.fillColor : null; },
      strokeOf: (id) => { const layer = layerOf(id); return layer ? [layer.options.color, layer.options.weight] : null; },
      legendText: () => ctx.panels.legend.textContent,
      legendRows: () => Array.from(ctx.panels.legend.querySelectorAll(".rm-row")).map((r) => [
        r.querySelector(".rm-swatch").style.background, r.querySelector(".rm-range").textContent,
        Number(r.querySelector(".rm-count").textContent)]),
      guideText: () => ctx.panels.guide.style.display === "none" ? "" : ctx.panels.guide.textContent,
      visibleActivities: () => Object.keys(state.activityMarkers).filter(
        (id) => state.groups.activities.hasLayer(state.activityMarkers[id])),
      activityIds: () => Object.keys(state.activities),
      labelCount: () => (state.groups.labels ? state.groups.labels.getLayers().length : 0),
      labels: () => Array.from(document.querySelectorAll(".rm-label")).map((e) => e.textContent),
      clickAt: (id) => {
        // A real mouse click on the canvas at a point inside the unit, as a user would make.
        const p = ctx.map.latLngToContainerPoint(ctx.anchorOf(id));
        const rect = ctx.map.getContainer().getBoundingClientRect();
        const target = document.elementFromPoint(rect.left + p.x, rect.top + p.y);
        ["mousedown", "mouseup", "click"].forEach((type) => target.dispatchEvent(new MouseEvent(type, {
          bubbles: true, cancelable: true, clientX: rect.left + p.x, clientY: rect.top + p.y, button: 0, view: window,
        })));
        return target.tagName;
      },
      zoom: () => ctx.map.getZoom(),
      idle: () => !ctx.map._animatingZoom && !(ctx.map._panAnim && ctx.map._panAnim._inProgress),
      center: () => [ctx.map.getCenter().lat, ctx.map.getCenter().lng],
      selected: () => state.selected,
      bounds: () => { const b = ctx.map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; },
      lastApplyMs: () => state.lastApplyMs,
      coverageOf: (id) => ((state.data && state.data.coverage[id]) || []).map((c) => c.t + ":" + c.s),
      coverageMarkerCount: () => Object.keys(state.coverageMarkers).length,
      nameOf: (id) => ctx.nameOf(id),
      // screen rectangles (page pixels) of the side column's boxes and of a unit's polygon
      boxRect: (name) => { const r = ctx.panels[name].getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; },
      unitRect: (id) => {
        const layer = layerOf(id);
        const b = layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng(), layer.getLatLng()]);
        const a = ctx.map.latLngToContainerPoint(b.getNorthWest()), c = ctx.map.latLngToContainerPoint(b.getSouthEast());
        return [a.x, a.y, c.x, c.y];
      },
      mapSize: () => [ctx.map.getSize().x, ctx.map.getSize().y],
      polygonCount: () => Object.keys(state.polygonLayers).length,
      drawnCount: () => Object.values(state.polygonLayers).filter((l) => l._parts && l._parts.length > 0).length,
      outlineIds: () => Array.from(state.outlineIds),
      borderIds: () => (state.borders ? state.borders.getLayers().map((l) => l.feature.id) : []),
      seatsText: () => ctx.panels.seats.style.display === "none" ? "" : ctx.panels.seats.textContent,
      creditsText: () => ctx.panels.credits.style.display === "none" ? "" : ctx.panels.credits.textContent,
      // what the user sees of the credits: the box is on screen and not covered by the column
      creditsRect: () => { const r = ctx.panels.credits.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; },
      columnRect: () => { const r = ctx.panels.column.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; },
      // offline page only
      popupText: (id) => RMOffline.popupFor(id).textContent,
      indicator: () => RMOffline.indicator(),
    };
  })();
}
