// Shows how far a large reading file has travelled to the server, then follows the redirect to the
// import's own page (where the worker's progress is shown). Without JavaScript the form posts as usual.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const box = document.getElementById("upload-progress");
    const bar = box.querySelector(".progress-bar");
    box.classList.remove("d-none");
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((100 * e.loaded) / e.total);
      bar.style.width = `${pct}%`;
      bar.textContent = `uploading ${pct} %`;
    });
    request.addEventListener("load", () => { window.location = request.responseURL; });
    request.addEventListener("error", () => { bar.classList.add("bg-danger"); bar.textContent = "upload failed"; });
    request.send(new FormData(form));
  });
})();
