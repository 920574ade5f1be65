// Every view the page draws, under the name the registry gives it (a model's `views` in
// the schema, src/registry/mod.rs): the canvas it draws on, how it draws a snapshot at a
// time step, and, for the views that set the time axis, how many steps a snapshot has.
// index.html's figures hold the canvases and name their views (`data-views`). A snapshot
// is drawn with its own model's views (its configuration's `model`: a snapshot can
// outlive a change of model by a moment, until the new model's first arrives), so
// neither main.js nor this table branches on a model's family. The loss chart draws the history, not a
// snapshot: main.js draws it apart.

import { MODELS } from '../state.js';
import { drawBitGrids } from './bits.js';
import { drawMemory } from './memory.js';
import { drawWeightings } from './weightings.js';
import { drawAllocation } from './dnc.js';
import { drawLink } from './link.js';
import { drawMentalImage, drawSymbols, drawTape, imageFrames } from './image.js';
import { drawFrames, drawKl, drawLatentMemory, drawReadMap, frameSteps } from './frames.js';

const sequenceSteps = (snapshot) => snapshot.steps.length;
const allocation = { canvas: 'allocation-view', draw: (c, s, page) => drawAllocation(c, s, page.time) };
const image = {
  canvas: 'image-view',
  // The image view words its own step (a step of the cell, or of the decoder).
  draw: (c, s, page) => { document.getElementById('time-value').textContent = drawMentalImage(c, s, page.time); },
  steps: imageFrames,
};

export const VIEWS = {
  bits: { canvas: 'bits-view', draw: (c, s, page) => drawBitGrids(c, s, page.time), steps: sequenceSteps },
  memory: { canvas: 'memory-view', draw: (c, s, page) => drawMemory(c, s, page.time) },
  weightings: { canvas: 'weightings-view', draw: (c, s, page) => drawWeightings(c, s, page.time) },
  addressing: { canvas: 'pipeline-view', draw: (c, s, page) => page.pipeline.show(s, page.time) },
  dnc_state: allocation,
  usage: allocation,
  link_matrix: { canvas: 'link-view', draw: (c, s, page) => drawLink(c, s, page.time) },
  symbols: { canvas: 'symbols-view', draw: (c, s) => drawSymbols(c, s) },
  mental_image: image,
  change_map: image,
  tape: { canvas: 'tape-view', draw: (c, s, page) => drawTape(c, s, page.time) },
  frames: { canvas: 'frames-view', draw: (c, s, page) => drawFrames(c, s, page.time, page.dream), steps: frameSteps },
  kl: { canvas: 'kl-view', draw: (c, s, page) => drawKl(c, s, page.time) },
  read_map: { canvas: 'read-map-view', draw: (c, s, page) => drawReadMap(c, s, page.time) },
  latent_memory: { canvas: 'latent-memory-view', draw: (c, s, page) => drawLatentMemory(c, s, page.time) },
};

// The snapshot views of the model that made `snapshot`, each canvas once.
function snapshotViews(snapshot) {
  const seen = new Set();
  return MODELS[snapshot.model.model].views
    .map((name) => VIEWS[name])
    .filter((view) => view && !seen.has(view.canvas) && seen.add(view.canvas));
}

// Draws `snapshot` at `page.time` on its views' canvases that `shown` says are on show.
export function drawSnapshot(snapshot, page, shown) {
  for (const view of snapshotViews(snapshot)) {
    if (shown(view.canvas)) view.draw(document.getElementById(view.canvas), snapshot, page);
  }
}

// The time steps of `snapshot`, as the first of its views that sets the time axis counts them.
export function timeSteps(snapshot) {
  const view = snapshotViews(snapshot).find((v) => v.steps);
  return view ? view.steps(snapshot) : sequenceSteps(snapshot);
}
