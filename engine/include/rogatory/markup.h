// Escaping text for XML and HTML-like markup (Graphviz labels, JUnit reports).
#ifndef ROGATORY_MARKUP_H_
#define ROGATORY_MARKUP_H_

#include <string>
#include <string_view>

namespace rogatory {

// `text` with &, <, > and " written as &amp; &lt; &gt; &quot;, safe inside an element or a
// double-quoted attribute. With `newlines_as_spaces`, CR and LF become spaces (a one-line label).
std::string EscapeMarkup(std::string_view text, bool newlines_as_spaces = false);

}  // namespace rogatory

#endif  // ROGATORY_MARKUP_H_
