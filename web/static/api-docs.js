/* Starts Swagger UI for /openapi.json (kept out of the page so no inline script is needed). */
window.addEventListener("load", function () {
  "use strict";
  if (!window.SwaggerUIBundle) { return; }  // Swagger UI is not installed: the page's links remain
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true
  });
});
