// "Copy link" and the "Embed" dialog: the URL hash already holds the whole
// configuration, so sharing is copying the address (plus embed options).

import { BUTTON_GROUPS, hideable, property, sizeControls, toHash } from './state.js';

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

export function setupSharing(page) {
  const dialog = document.getElementById('embed-dialog');
  const snippet = document.getElementById('embed-snippet');
  const choices = document.getElementById('embed-hide');
  // Controls a teacher may hide from an embedded copy (`hide=` in the hash): the
  // current model's, listed when the dialog opens (the schema has arrived by then).
  const offer = () => {
    const sizes = new Set(sizeControls(page.state.model));
    choices.replaceChildren();
    for (const name of hideable()) {
      if (property(name)?.size && !sizes.has(name)) continue;
      const item = document.createElement('label');
      item.className = 'check';
      item.innerHTML = '<input type="checkbox" checked> ';
      item.append(label(name));
      item.firstChild.value = name;
      choices.append(item);
    }
  };
  const update = () => {
    const hide = [...choices.querySelectorAll('input:not(:checked)')].map((i) => i.value);
    const hash = toHash({ ...page.state, embed: true, hide });
    snippet.value = `<iframe src="${pageAddress(hash)}" title="Engram: a memory-augmented neural network learning" ` +
      'width="100%" height="900" style="border:0" loading="lazy"></iframe>';
  };
  choices.addEventListener('change', update);
  document.getElementById('copy-link').addEventListener('click', (e) => copyText(location.href, e.target));
  document.getElementById('embed').addEventListener('click', () => {
    offer();
    update();
    dialog.showModal();
  });
  document.getElementById('embed-copy').addEventListener('click', (e) => copyText(snippet.value, e.target));
}
