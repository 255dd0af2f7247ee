// Keeps the funding formula's running total of shares up to date while typing. Only an
// enhancement: the server writes the same total into the page (FundingFormulaForm.
// share_total), so without JavaScript it is still there, correct when the page loads.

// A share counts if it could be valid (up to 3 digits and 2 decimal places); anything
// else counts as 0, as on the server.
const COUNTED_SHARE = /^(\d{1,3}(\.\d{0,2})?|\.\d{1,2})$/;

function hundredths(text) {
  const value = text.trim();
  return COUNTED_SHARE.test(value) ? Math.round(Number(value) * 100) : 0;
}

// 7500 -> "75", 1250 -> "12.5", 3333 -> "33.33": whole hundredths, so no float noise.
function percent(amount) {
  const whole = Math.floor(amount / 100);
  const part = amount % 100;
  if (part === 0) return String(whole);
  return `${whole}.${String(part).padStart(2, '0')}`.replace(/0$/, '');
}

function describe(total) {
  const remaining = 10000 - total;
  if (remaining > 0) return `Total: ${percent(total)}% — ${percent(remaining)}% still to share`;
  if (remaining < 0) return `Total: ${percent(total)}% — ${percent(-remaining)}% too much`;
  return 'Total: 100% — all shared';
}

for (const output of document.querySelectorAll('[data-app-share-total]')) {
  const form = output.closest('form');
  const update = () => {
    let total = 0;
    for (const input of form.querySelectorAll('input[data-app-share]')) {
      total += hundredths(input.value);
    }
    const text = describe(total);
    // Only a change is written, so the live region announces only changes.
    if (output.textContent !== text) output.textContent = text;
  };
  form.addEventListener('input', (event) => {
    if (event.target.matches('input[data-app-share]')) update();
  });
  update(); // values a browser restored (going back to the page) count too
}
