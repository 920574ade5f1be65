// "Copy link" and the "Embed" dialog: the URL hash already holds the whole
// configuration, so sharing is copying the address, and embedding adds the figure's
// options (`embed=1`, `view=`, `autoplay=`, `hide=`).

import { BUTTON_GROUPS, MODELS, hideable, property, sizeControls, toHash } from './state.js';

const ENGINES_URL = new URL('../engines.json', import.meta.url);
// The preview box's width in CSS pixels: the figure is drawn at its real size and scaled.
const PREVIEW_WIDTH = 560;
// A preview is rebuilt this long after the last change (each one starts an engine).
const PREVIEW_DELAY_MS = 400;
// An embedded figure's sandbox: scripts to run, popups (unsandboxed) for its "Open in
// Engram" link; never allow-same-origin, so it cannot touch the host page.
const SANDBOX = 'allow-scripts allow-popups allow-popups-to-escape-sandbox';

function pageAddress(hash) {
  return location.href.replace(/#.*$/, '') + hash;
}

async function copyText(text, button) {
  const original = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    // Clipboard access is refused in some frames: show the text to copy by hand.
    window.prompt('Copy this:', text);
  }
  setTimeout(() => { button.textContent = original; }, 1500);
}

function label(name) {
  return property(name)?.label ?? BUTTON_GROUPS[name];
}

const escapeAttribute = (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

// The model's views that a figure can show, one per figure on the page (the mental
// image and its change map are one canvas), named by the figure's own caption.
function figureViews(model) {
  const seen = new Set();
  const views = [];
  for (const view of MODELS[model].views) {
    const figure = [...document.querySelectorAll('figure[data-views]')]
      .find((f) => f.dataset.views.split(' ').includes(view));
    if (!figure || seen.has(figure)) continue;
    seen.add(figure);
    views.push({ view, label: figure.querySelector('canvas').getAttribute('aria-label') });
  }
  return views;
}

// "about 310 KB": what a first visit to the figure downloads, from engines.json's
// gzipped sizes (the model family's engine module and the page's own files).
async function downloadNote(model) {
  try {
    const engines = await (await fetch(ENGINES_URL)).json();
    const family = engines.models[model];
    const engine = engines.modules[family]?.gzipped;
    const own = engines.page?.gzipped;
    if (!engine || !own) return '';
    const kb = (bytes) => `${Math.round(bytes / 1000)} KB`;
    return `A reader's first visit downloads about ${kb(engine + own)} (gzipped): this model family's engine, ` +
      `${kb(engine)}, and the page's scripts and styles, ${kb(own)}. Figures of the same family share it from the cache.`;
  } catch {
    return '';
  }
}

export function setupSharing(page) {
  const $ = (id) => document.getElementById(id);
  const dialog = $('embed-dialog');
  const snippet = $('embed-snippet');
  const hideChoices = $('embed-hide');
  const viewChoices = $('embed-views');
  const preview = $('embed-preview');
  let previewTimer = 0;

  // Controls a teacher may hide from an embedded whole playground (`hide=`): the
  // current model's, and views a figure may show: listed when the dialog opens.
  const offer = () => {
    const sizes = new Set(sizeControls(page.state.model));
    hideChoices.replaceChildren(hideChoices.querySelector('legend'));
    for (const name of hideable()) {
      if (property(name)?.size && !sizes.has(name)) continue;
      const item = document.createElement('label');
      item.className = 'check';
      item.innerHTML = '<input type="checkbox" checked> ';
      item.append(label(name));
      item.firstChild.value = name;
      hideChoices.append(item);
    }
    viewChoices.replaceChildren(viewChoices.querySelector('legend'));
    const views = figureViews(page.state.model);
    if (page.state.lesson) views.unshift({ view: 'lesson', label: 'This lesson, with its views' });
    for (const { view, label: text } of views) {
      const item = document.createElement('label');
      item.className = 'check';
      item.innerHTML = '<input type="checkbox"> ';
      item.append(text);
      item.firstChild.value = view;
      item.firstChild.checked = view === (page.state.lesson ? 'lesson' : views[0].view);
      viewChoices.append(item);
    }
  };

  const chosen = () => {
    const view = [...viewChoices.querySelectorAll('input:checked')].map((i) => i.value);
    const hide = view.length ? [] : [...hideChoices.querySelectorAll('input:not(:checked)')].map((i) => i.value);
    const [width, height] = $('embed-size').value.split('x').map(Number);
    return { view, hide, width, height, autoplay: $('embed-autoplay').checked };
  };

  const showPreview = (src, width, height) => {
    const scale = Math.min(1, PREVIEW_WIDTH / width);
    preview.style.width = `${Math.round(width * scale)}px`;
    preview.style.height = `${Math.round(height * scale)}px`;
    const frame = document.createElement('iframe');
    Object.assign(frame, { src, title: 'Preview of the embedded figure', width, height });
    frame.setAttribute('sandbox', SANDBOX);
    frame.style.transform = `scale(${scale})`;
    preview.replaceChildren(frame);
    $('embed-size-note').textContent = scale < 1 ? `(at ${Math.round(scale * 100)}% of its size)` : '';
  };

  const update = () => {
    const { view, hide, width, height, autoplay } = chosen();
    hideChoices.hidden = view.length > 0;
    const hash = toHash({ ...page.state, embed: true, hide, view, autoplay, lesson: view.includes('lesson') ? page.state.lesson : '' });
    const src = pageAddress(hash);
    const title = `Engram: ${MODELS[page.state.model].label} learning ${page.state.task}`;
    snippet.value = `<iframe src="${escapeAttribute(src)}" title="${escapeAttribute(title)}" width="${width}" height="${height}" ` +
      `loading="lazy" sandbox="${SANDBOX}" style="border:0;max-width:100%"></iframe>`;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => showPreview(src, width, height), PREVIEW_DELAY_MS);
  };

  dialog.addEventListener('change', update);
  dialog.addEventListener('close', () => {
    clearTimeout(previewTimer);
    preview.replaceChildren(); // ends the preview's engine
  });
  $('copy-link').addEventListener('click', (e) => copyText(location.href, e.target));
  $('embed').addEventListener('click', async () => {
    offer();
    update();
    dialog.showModal();
    $('embed-download').textContent = await downloadNote(page.state.model);
  });
  $('embed-copy').addEventListener('click', (e) => copyText(snippet.value, e.target));
}
