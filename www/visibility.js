// Training pauses while nobody can see it (the tab hidden, or the views scrolled out of
// sight) and resumes when they can again; a pause the visitor chose stays.

/**
 * `page` is the page's record; `views` the element to watch; `setPlaying(on)`. This
 * module is the one writer of `page.autoPaused`; what it returns, `forget()`, drops a
 * pause it made when the visitor (or a lesson) chooses to play or pause instead.
 */
export function pauseWhenUnseen(page, views, setPlaying) {
  let inView = true;
  const update = () => {
    const visible = inView && document.visibilityState === 'visible';
    if (!visible && page.playing) {
      page.autoPaused = true;
      setPlaying(false);
    } else if (visible && page.autoPaused) {
      page.autoPaused = false;
      setPlaying(true);
    }
  };
  document.addEventListener('visibilitychange', update);
  new IntersectionObserver((entries) => {
    inView = entries.some((e) => e.isIntersecting);
    update();
  }).observe(views);
  return { forget() { page.autoPaused = false; } };
}
