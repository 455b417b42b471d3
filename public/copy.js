// Copy buttons: <button data-copy-target="id" hidden>. Without JavaScript the buttons
// stay hidden and the token remains selectable text.
(function () {
  'use strict';
  document.querySelectorAll('[data-copy-target]').forEach(function (button) {
    var target = document.getElementById(button.getAttribute('data-copy-target'));
    if (!target || !navigator.clipboard) return;
    var status = document.getElementById(button.getAttribute('data-copy-status'));
    button.hidden = false;
    button.addEventListener('click', function () {
      var text = 'value' in target ? target.value : target.textContent;
      navigator.clipboard.writeText(text.trim()).then(
        function () {
          if (status) status.textContent = 'Copied to the clipboard.';
        },
        function () {
          if (target.select) target.select();
          if (status) status.textContent = 'Copying failed; select the text and copy it.';
        },
      );
    });
  });
})();
