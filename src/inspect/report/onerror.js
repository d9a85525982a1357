window.argoErrors = 0;
window.argoError = function (msg) {
  window.argoErrors++;
  var b = document.body;
  if (b) {
    b.setAttribute('data-errors', String(window.argoErrors));
    b.setAttribute('data-error-message', String(msg).slice(0, 300));
  }
};
window.onerror = function (msg) { window.argoError(msg); return false; };
window.addEventListener('unhandledrejection', function (e) { window.argoError(e.reason); });
