/* global L */
// Progressive enhancement of an offers list: a Leaflet map with one marker per offer that has
// coordinates, each opening a link to the offer. Without JavaScript, or without tiles, the list
// below is the page; this script only shows the container it fills.
(function () {
  const box = document.querySelector("[data-offers-map]");
  if (!box || typeof L === "undefined") return;
  let markers;
  try {
    markers = JSON.parse(box.dataset.markers || "[]");
  } catch {
    return;
  }
  if (!Array.isArray(markers) || markers.length === 0) return;
  box.hidden = false;
  const map = L.map(box, { scrollWheelZoom: false });
  // Leaflet writes the attribution as HTML: the configured text is escaped first.
  const text = document.createElement("span");
  text.textContent = box.dataset.attribution || "";
  L.tileLayer(box.dataset.tiles, {
    attribution: text.innerHTML,
    maxZoom: 18,
  }).addTo(map);
  // Titles come from other instances: set as text, never as HTML.
  const points = [];
  for (const m of markers) {
    if (typeof m.lat !== "number" || typeof m.lon !== "number") continue;
    const link = document.createElement("a");
    link.href = m.href;
    link.textContent = m.title;
    const marker = L.marker([m.lat, m.lon], { title: m.title, alt: m.title }).addTo(map);
    marker.bindPopup(link);
    points.push([m.lat, m.lon]);
  }
  if (points.length === 1) map.setView(points[0], 11);
  else map.fitBounds(points, { padding: [24, 24], maxZoom: 12 });
})();
