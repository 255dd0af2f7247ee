// Warn before leaving a form with unsaved changes. Only an enhancement: without
// JavaScript the form works the same, and nothing depends on this script.
for (const form of document.querySelectorAll('form[data-app-unsaved-warning]')) {
  let changed = false;
  form.addEventListener('input', () => { changed = true; });
  form.addEventListener('change', () => { changed = true; });
  form.addEventListener('submit', () => { changed = false; });
  window.addEventListener('beforeunload', (event) => {
    if (changed) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}
