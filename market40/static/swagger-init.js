// Starts Swagger UI on /api/docs. A file, not an inline script, so the CSP needs no
// 'unsafe-inline': the spec URL and OPENAPI_SWAGGER_UI_CONFIG come as data attributes.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = {url: container.dataset.specUrl, dom_id: "#swagger-ui-container"};
  var overrides = JSON.parse(container.dataset.config || "{}");
  for (var name in overrides) {
    config[name] = overrides[name];
  }
  window.ui = SwaggerUIBundle(config);
});
