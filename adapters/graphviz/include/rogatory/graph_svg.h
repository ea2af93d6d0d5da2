// SVG pictures of workflows, laid out and drawn by Graphviz's C library in this process (no
// `dot` process is started). `rogatory graph --format svg` prints them; a server can serve
// them the same way. Link rogatory::graph_svg; Graphviz's headers stay out of this one.
#ifndef ROGATORY_GRAPH_SVG_H_
#define ROGATORY_GRAPH_SVG_H_

#include <string>
#include <string_view>

#include "rogatory/status.h"
#include "rogatory/workflow.h"

namespace rogatory {

// Lays out Graphviz dot text with the `dot` layout and returns the SVG document (UTF-8, with
// an XML declaration). Graphviz's <title> elements name each node and edge ("a->b").
// InvalidArgument with Graphviz's own message when the text is not a graph it can read;
// Internal when the layout or the SVG renderer fails (e.g. its plugins are not installed).
// Thread-safe: Graphviz keeps global state, so calls are serialised.
Result<std::string> RenderDotToSvg(std::string_view dot);

// The workflow's diagram (RenderDot in rogatory/graph.h) as SVG. REQUIRES: `def` passed
// validation. Errors as RenderDotToSvg.
Result<std::string> RenderSvg(const WorkflowDefinition& def);

}  // namespace rogatory

#endif  // ROGATORY_GRAPH_SVG_H_
