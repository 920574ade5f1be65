// The settings panel: a drawer beside the views (on a phone, a sheet over them) that the
// toolbar's Settings button opens, and its close button or Escape closes, handing the
// focus back to Settings.

export function setupSettingsPanel(form) {
  const toggle = document.getElementById('settings-toggle');
  const setOpen = (open) => {
    form.toggleAttribute('data-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (open) form.querySelector('.panel-head h2').focus();
    else toggle.focus();
  };
  toggle.addEventListener('click', () => setOpen(!form.hasAttribute('data-open')));
  document.getElementById('settings-close').addEventListener('click', () => setOpen(false));
  // Before the page's own keys: Escape closes the panel wherever the focus is in it.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !form.hasAttribute('data-open')) return;
    event.preventDefault();
    setOpen(false);
  });
}
