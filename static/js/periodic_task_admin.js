/* Admin → Periodic tasks: under the crontab field, show the chosen schedule in words.
   django-celery-beat ships this inline; here it is a file, as the CSP requires. */
(function () {
  "use strict";
  var $ = django.jQuery;
  var script = document.getElementById("periodic-task-overrides");
  var readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var originalHelp = script.dataset.crontabHelp || "";

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var help = $(".field-crontab .help");
    help.text(originalHelp);
    help.append(document.createElement("br"));
    help.append(document.createTextNode("Translation: " + readableCrontabs[$("#id_crontab").val()]));
  });
})();
