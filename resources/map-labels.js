/* Municipality labels, placed by priority and never on top of each other.
 *
 * Python sends the priority (cities first, then larger populations and areas); here a
 * label is placed only where it does not overlap one already placed, so at the region
 * view the larger towns are named and every name appears as the user zooms in.
 */
"use strict";

const RMLabels = (() => {
  const CHAR_WIDTH = 6.5, HEIGHT = 14;

  function place(ctx) {
    const state = ctx.state;
    const group = state.groups.labels;
    if (!state.ready || !group || !ctx.map.hasLayer(group)) return;
    group.clearLayers();
    const size = ctx.map.getSize();
    const taken = [];
    for (const id of state.data.label_order) {
      const at = ctx.anchorOf(id);
      if (!at) continue;
      const p = ctx.map.latLngToContainerPoint(at);
      if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) continue;
      const text = ctx.nameOf(id);
      const w = CHAR_WIDTH * text.length + 6;
      const box = [p.x - w / 2, p.y - HEIGHT / 2, p.x + w / 2, p.y + HEIGHT / 2];
      if (taken.some((t) => box[0] < t[2] && box[2] > t[0] && box[1] < t[3] && box[3] > t[1])) continue;
      taken.push(box);
      group.addLayer(L.marker(at, {
        pane: "rm-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ html: ctx.el("span", "rm-label", text), className: "rm-icon rm-label-icon",
          iconSize: [w, HEIGHT], iconAnchor: [w / 2, HEIGHT / 2] }),
      }));
    }
  }

  return { place: place };
})();
