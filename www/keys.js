// The page's keyboard shortcuts: space plays and pauses, "." steps, "r" resets, and the
// arrow keys move the views' time step (`moveTime(±1)`). They wait while the visitor
// types in a control, and leave the scrubber's and the pipeline view's own arrow keys.

const $ = (id) => document.getElementById(id);

/** The keydown listener for the shortcuts. */
export function keyboardShortcuts(moveTime) {
  return (event) => {
    const target = event.target;
    const typing = target.matches('input:not([type=range]), select, textarea') || target.isContentEditable;
    if (typing || event.ctrlKey || event.metaKey || event.altKey || $('play').disabled) return;
    const actions = {
      ' ': () => $('play').click(),
      '.': () => $('step').click(),
      'r': () => $('reset').click(),
      'ArrowLeft': () => moveTime(-1),
      'ArrowRight': () => moveTime(1),
    };
    const action = actions[event.key];
    // Arrow keys on the scrubber and on the pipeline view are their own.
    if (!action || (target.matches('#time, #pipeline-view') && event.key.startsWith('Arrow'))) return;
    if (event.key === ' ' && target.matches('button')) return; // the button's own click
    event.preventDefault();
    action();
  };
}
