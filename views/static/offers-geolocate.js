// Progressive enhancement of the catalogue search: a button that searches around the device's
// position. Without JavaScript, or if the member refuses, the postal-code field does the job.
(function () {
  const form = document.querySelector("form[data-geolocate]");
  if (!form || !("geolocation" in navigator)) return;
  const near = form.querySelector("#field-near");
  if (!near) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button--quiet";
  button.textContent =
    document.documentElement.lang === "en" ? "Use my position" : "Utiliser ma position";
  const status = document.createElement("p");
  status.className = "field__hint";
  status.setAttribute("role", "status");
  near.insertAdjacentElement("afterend", button);
  button.insertAdjacentElement("afterend", status);
  const hidden = (name, value) => {
    let input = form.querySelector(`input[type=hidden][name=${name}]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  };
  button.addEventListener("click", () => {
    status.textContent =
      document.documentElement.lang === "en" ? "Locating…" : "Recherche de votre position…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        near.value = "";
        hidden("lat", position.coords.latitude.toFixed(4));
        hidden("lon", position.coords.longitude.toFixed(4));
        form.submit();
      },
      () => {
        status.textContent =
          document.documentElement.lang === "en"
            ? "Your position is not available: type a postal code."
            : "Position indisponible : saisissez un code postal.";
      },
      { timeout: 10000, maximumAge: 600000 },
    );
  });
})();
