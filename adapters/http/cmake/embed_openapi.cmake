# Writes OUTPUT, a C++ file defining rogatory::http::OpenApiDocument() as the text of INPUT.
# Run as: cmake -DINPUT=docs/openapi.json -DOUTPUT=openapi_document.cc -P embed_openapi.cmake
file(READ ${INPUT} content)
include(${CMAKE_CURRENT_LIST_DIR}/embed_text.cmake)
rogatory_raw_literal("${content}" rogatory_openapi "    " chunks)
rogatory_write_if_different(${OUTPUT}
"// Generated from docs/openapi.json by adapters/http/cmake/embed_openapi.cmake. Do not edit.
#include <string_view>

namespace rogatory::http {

std::string_view OpenApiDocument() {
  static constexpr char kDocument[] =
${chunks}  ;
  return std::string_view(kDocument, sizeof(kDocument) - 1);
}

}  // namespace rogatory::http
")
