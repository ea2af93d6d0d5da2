# Writes OUTPUT, a C++ file defining rogatory::http::OpenApiDocument() as the text of INPUT.
# Run as: cmake -DINPUT=docs/openapi.json -DOUTPUT=openapi_document.cc -P embed_openapi.cmake
file(READ ${INPUT} content)
# Raw string literals are limited by some compilers: split into chunks of 8000 characters.
string(LENGTH "${content}" length)
set(chunks "")
set(offset 0)
while(offset LESS length)
  string(SUBSTRING "${content}" ${offset} 8000 piece)
  string(APPEND chunks "    R\"rogatory_openapi(${piece})rogatory_openapi\"\n")
  math(EXPR offset "${offset} + 8000")
endwhile()
if(chunks STREQUAL "")
  set(chunks "    \"\"\n")
endif()
file(WRITE ${OUTPUT}.tmp
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
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
