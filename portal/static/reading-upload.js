// Shows how far a large reading file has travelled to the server, then follows the redirect to the
// import's own page (where the worker's progress is shown). Without JavaScript the form posts as usual.
// A file over the server's upload limit is refused here before it travels, and any refusal the server
// answers (413, 4xx) is shown in place rather than followed.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const box = document.getElementById("upload-progress");
    const bar = box.querySelector(".progress-bar");
    const refuse = (message) => {
      box.classList.remove("d-none");
      bar.style.width = "100%";
      bar.classList.add("bg-danger");
      bar.textContent = message;
    };
    const limit = Number(form.dataset.maxBytes || 0);
    const file = form.querySelector("input[type=file]").files[0];
    if (limit && file && file.size > limit) {
      refuse(`The file is larger than the ${Math.round(limit / 1048576)} MB limit: not sent.`);
      return;
    }
    box.classList.remove("d-none");
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "text/html, application/json;q=0.9");
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((100 * e.loaded) / e.total);
      bar.style.width = `${pct}%`;
      bar.textContent = `uploading ${pct} %`;
    });
    request.addEventListener("load", () => {
      if (request.status >= 400) {
        let message = `refused (HTTP ${request.status})`;
        try { message = JSON.parse(request.responseText).message || message; } catch (e) { /* an HTML page */ }
        refuse(message);
        return;
      }
      window.location = request.responseURL;
    });
    request.addEventListener("error", () => refuse("upload failed"));
    request.send(new FormData(form));
  });
})();
