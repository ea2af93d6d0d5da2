// The web console (CONTRACT §9) at /console/: its page and its content-hashed assets, public
// (the page signs in with a token of its own), under a strict Content-Security-Policy.
#include "call.h"
#include "console_assets.h"
#include "routes.h"

namespace rogatory::http {
namespace {

// Only this origin's scripts, styles, images and API; no inline script or style, no frames.
constexpr char kConsolePolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void SetSecurityHeaders(Call& c) {
  c.SetHeader("Content-Security-Policy", kConsolePolicy);
  c.SetHeader("X-Content-Type-Options", "nosniff");
  c.SetHeader("Referrer-Policy", "no-referrer");
  c.SetHeader("X-Frame-Options", "DENY");
}

// 304 when the caller already holds this version, else the asset itself.
void Serve(Call& c, const ConsoleAsset& a, const char* cache_control) {
  SetSecurityHeaders(c);
  c.SetHeader("Cache-Control", cache_control);
  c.SetHeader("ETag", std::string(a.etag));
  const std::string* held = c.Header("If-None-Match");
  if (held != nullptr && held->find(a.etag) != std::string::npos) return c.Empty(304);
  c.Text(200, std::string(a.body), a.content_type);
}

}  // namespace

void AddConsoleRoutes(Router& router, const ApiContext&) {
  constexpr RouteAccess kPublic{false, false};
  router.Add({"GET", "/console", kPublic, false, [](Call& c) {
                c.SetHeader("Location", "/console/");
                c.Empty(308);
              }});
  // The page names the assets' current versions, so it must be revalidated on every load.
  router.Add({"GET", "/console/", kPublic, false, [](Call& c) {
                if (!c.CheckQuery({})) return;
                Serve(c, ConsoleIndexPage(), "no-cache");
              }});
  router.Add({"GET", "/console/assets/{name}", kPublic, false, [](Call& c) {
                const ConsoleAsset* a = FindConsoleAsset(c.Param(0));
                if (a == nullptr) {
                  SetSecurityHeaders(c);
                  return c.Error(404, "not_found", "no such console asset");
                }
                Serve(c, *a, "public, max-age=31536000, immutable");
              }});
}

}  // namespace rogatory::http
