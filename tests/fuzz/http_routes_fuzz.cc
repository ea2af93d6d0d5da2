// libFuzzer target: one parsed request (method, target, headers, body; as the transport hands
// it over) through the API handler (adapters/http/src/api_handler.h: routing, bearer tokens,
// path and query decoding, JSON bodies, the route handlers) and an engine on the memory store
// with the shipped workflows/ loaded. Checks: never a 500 (point 6 of issue 9: bad bytes are a
// client error), and every JSON answer is valid JSON.
//
// Input format (so seeds stay readable): "METHOD TARGET\n", then "Name: value\n" header lines,
// then an empty line, then the body. The tokens fuzz-admin (admin), fuzz-issuing
// (issuing_authority), fuzz-executing (executing_authority) and fuzz-nobody (no role) are known.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>

#include "api_handler.h"
#include "message.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/http_server.h"
#include "rogatory/memory_store.h"
#include "spdlog/spdlog.h"

#ifndef ROGATORY_SOURCE_DIR
#define ROGATORY_SOURCE_DIR "."
#endif

namespace {

using rogatory::http::HttpRequest;
using rogatory::http::HttpResponse;

// A fresh engine and handler; rebuilt now and then so the memory store does not grow for ever.
struct World {
  std::shared_ptr<rogatory::Store> store;
  std::unique_ptr<rogatory::Engine> engine;
  std::unique_ptr<rogatory::http::ApiHandler> api;
};

std::string WorkflowsDir() {
  const char* env = std::getenv("ROGATORY_WORKFLOWS_DIR");
  return env != nullptr ? env : std::string(ROGATORY_SOURCE_DIR) + "/workflows";
}

std::unique_ptr<World> MakeWorld() {
  static const rogatory::LoadReport report = rogatory::LoadDefinitions({WorkflowsDir()});
  if (report.definitions.empty()) std::abort();  // run from the source tree or set the env
  auto w = std::make_unique<World>();
  w->store = std::shared_ptr<rogatory::Store>(rogatory::NewMemoryStore());
  rogatory::EngineOptions eo;
  eo.store = w->store;
  w->engine = std::make_unique<rogatory::Engine>(eo);
  for (const auto& def : report.definitions) {
    if (!w->engine->LoadDefinition(def).ok()) std::abort();
  }
  rogatory::HttpServerOptions o;
  o.max_body = 65536;
  for (const auto& [token, actor, role] :
       {std::tuple{"fuzz-admin", "ops.admin", "admin"},
        std::tuple{"fuzz-issuing", "ana.issuing", "issuing_authority"},
        std::tuple{"fuzz-executing", "eva.executing", "executing_authority"},
        std::tuple{"fuzz-nobody", "nina.nobody", ""}}) {
    rogatory::HttpToken t;
    t.actor = actor;
    if (*role != '\0') t.roles.push_back(role);
    t.sha256 = rogatory::HashToken(token);
    o.tokens.push_back(t);
  }
  auto api = rogatory::http::ApiHandler::Make(*w->engine, o);
  if (!api.ok()) std::abort();
  w->api = std::move(*api);
  return w;
}

HttpRequest ParseInput(std::string_view in) {
  HttpRequest r;
  size_t eol = in.find('\n');
  std::string_view line = in.substr(0, eol);
  const size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  if (space != std::string_view::npos) r.target = std::string(line.substr(space + 1));
  in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
  while (!in.empty()) {
    eol = in.find('\n');
    line = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  r.body = std::string(in);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The access log would print a line per input.
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<World> world;
  static int runs = 0;
  if (!world || ++runs % 2000 == 0) world = MakeWorld();
  HttpRequest req = ParseInput(std::string_view(reinterpret_cast<const char*>(data), size));
  HttpResponse res;
  world->api->Handle(req, &res);
  if (res.status >= 500 || res.status < 200) std::abort();
  const std::string* type = res.Header("Content-Type");
  if (type != nullptr && *type == "application/json") {
    if (nlohmann::json::parse(res.body, nullptr, false).is_discarded()) std::abort();
  }
  return 0;
}
