// One event for "the page's record may have changed". It fires after each message from an
// engine has been handled, once the promises that message settled have run too (hence the
// zero-delay task), and where the page changes its record without a message (Play and
// Pause, a failed import). What waits on the page, the lesson runner, re-checks its
// condition on this event instead of on a timer.

const target = new EventTarget();

export function changed() {
  setTimeout(() => target.dispatchEvent(new Event('change')), 0);
}

// Calls `listener` on each change; returns the function that stops it.
export function onChange(listener) {
  target.addEventListener('change', listener);
  return () => target.removeEventListener('change', listener);
}
