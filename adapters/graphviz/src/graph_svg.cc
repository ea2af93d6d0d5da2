// Graphviz's C library behind rogatory/graph_svg.h.
#include "rogatory/graph_svg.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <memory>
#include <mutex>
#include <string>

#include "rogatory/graph.h"

namespace rogatory {
namespace {

// Graphviz reports problems through one process-wide callback and keeps other global state:
// one rendering at a time, the messages of the current one collected here.
std::mutex graphviz_mutex;
std::string* graphviz_messages = nullptr;

int CollectMessage(char* message) {
  if (graphviz_messages != nullptr && message != nullptr) {
    std::string text(message);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!text.empty()) *graphviz_messages += (graphviz_messages->empty() ? "" : "; ") + text;
  }
  return 0;
}

// One Graphviz context for the life of the process, made on first use under the mutex. Never
// freed: Graphviz 2.42's text-layout plugin caches the last font name across contexts, so a
// context freed and made again reads freed memory (AddressSanitizer caught it).
GVC_t* Context() {
  static GVC_t* const gvc = gvContext();
  return gvc;
}
struct GraphDeleter {
  void operator()(Agraph_t* g) const { agclose(g); }
};

// The messages so far, or `fallback` when Graphviz said nothing.
std::string Why(const std::string& messages, const char* fallback) {
  return messages.empty() ? std::string(fallback) : messages;
}

}  // namespace

Result<std::string> RenderDotToSvg(std::string_view dot) {
  std::lock_guard<std::mutex> lock(graphviz_mutex);
  std::string messages;
  graphviz_messages = &messages;
  const agusererrf previous = agseterrf(&CollectMessage);
  agreseterrors();
  // Restores Graphviz's own reporting however this call ends.
  struct Restore {
    agusererrf previous;
    ~Restore() {
      agseterrf(previous);
      graphviz_messages = nullptr;
    }
  } restore{previous};

  GVC_t* const gvc = Context();
  if (gvc == nullptr) return InternalError("Graphviz: could not create a context");
  const std::string text(dot);  // agmemread wants a NUL-terminated string
  std::unique_ptr<Agraph_t, GraphDeleter> graph(agmemread(text.c_str()));
  if (!graph || agerrors() > 0) {
    return InvalidArgumentError("Graphviz could not read the graph: " +
                                Why(messages, "not a dot graph"));
  }
  if (gvLayout(gvc, graph.get(), "dot") != 0) {
    return InternalError("Graphviz could not lay out the graph: " +
                         Why(messages, "is its dot layout plugin installed (libgvc6)?"));
  }
  char* data = nullptr;
  unsigned int length = 0;
  const int rendered = gvRenderData(gvc, graph.get(), "svg", &data, &length);
  std::string svg = (rendered == 0 && data != nullptr) ? std::string(data, length) : std::string();
  if (data != nullptr) gvFreeRenderData(data);
  gvFreeLayout(gvc, graph.get());
  if (rendered != 0 || svg.empty()) {
    return InternalError("Graphviz could not render SVG: " +
                         Why(messages, "is its core plugin installed (libgvc6)?"));
  }
  return svg;
}

Result<std::string> RenderSvg(const WorkflowDefinition& def) {
  return RenderDotToSvg(RenderDot(def));
}

}  // namespace rogatory
