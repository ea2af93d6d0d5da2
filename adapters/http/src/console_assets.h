// The web console's files (CONTRACT §9), compiled into the binary from adapters/http/console
// by cmake/embed_console.cmake: the console loads nothing from disk or from other hosts.
#ifndef ROGATORY_ADAPTERS_HTTP_CONSOLE_ASSETS_H_
#define ROGATORY_ADAPTERS_HTTP_CONSOLE_ASSETS_H_

#include <string_view>

namespace rogatory::http {

struct ConsoleAsset {
  std::string_view name;          // served name, with its content hash: "app.3fa9c1d2e4b5.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // the quoted SHA-256 of the body
  std::string_view body;
};

// The console's page (index.html with every asset's versioned path filled in).
const ConsoleAsset& ConsoleIndexPage();

// The asset served as /console/assets/NAME, or nullptr when there is none of that name.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_CONSOLE_ASSETS_H_
