# Writes OUTPUT, a C++ file holding the web console's assets (CONTRACT §9) as ConsoleAsset
# entries (console_assets.h). Each asset's served name carries the first 12 hex digits of its
# SHA-256 ("app.3fa9c1d2e4b5.js"), so it can be cached for a year: new content, new name.
# index.html is a template: @NAME@ (e.g. @app.js@) becomes that asset's versioned path.
# Run as: cmake -DINPUT_DIR=console -DASSETS="app.js,console.css" -DOUTPUT=console_assets.cc
#               -P embed_console.cmake
function(rogatory_content_type name out)
  if(name MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(name MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.svg$")
    set(type "image/svg+xml")
  else()
    set(type "text/html; charset=utf-8")
  endif()
  set(${out} "${type}" PARENT_SCOPE)
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/embed_text.cmake)

string(REPLACE "," ";" ASSETS "${ASSETS}")
set(entries "")
set(definitions "")
set(index "")
file(READ ${INPUT_DIR}/index.html index)
set(i 0)
foreach(asset IN LISTS ASSETS)
  get_filename_component(path ${asset} ABSOLUTE BASE_DIR ${INPUT_DIR})
  get_filename_component(file_name ${asset} NAME)
  file(READ ${path} content)
  file(SHA256 ${path} digest)
  string(SUBSTRING ${digest} 0 12 short)
  string(REGEX REPLACE "^(.*)\\.([a-z]+)$" "\\1.${short}.\\2" versioned ${file_name})
  string(REPLACE "@${file_name}@" "assets/${versioned}" index "${index}")
  rogatory_content_type(${file_name} type)
  rogatory_raw_literal("${content}" rogatory_console "" literal)
  string(APPEND definitions "constexpr char kAsset${i}[] =\n${literal};\n")
  string(APPEND entries
    "    {\"${versioned}\", \"${type}\", \"\\\"${digest}\\\"\", "
    "std::string_view(kAsset${i}, sizeof(kAsset${i}) - 1)},\n")
  math(EXPR i "${i} + 1")
endforeach()
if(index MATCHES "@[A-Za-z0-9_.-]+@")
  message(FATAL_ERROR "index.html names an asset that is not embedded: ${CMAKE_MATCH_0}")
endif()
string(SHA256 index_digest "${index}")
rogatory_raw_literal("${index}" rogatory_console "" index_literal)

rogatory_write_if_different(${OUTPUT}
"// Generated from adapters/http/console by adapters/http/cmake/embed_console.cmake. Do not edit.
#include \"console_assets.h\"

namespace rogatory::http {
namespace {

${definitions}
constexpr char kIndex[] =
${index_literal};

const ConsoleAsset kAssets[] = {
${entries}};

}  // namespace

const ConsoleAsset& ConsoleIndexPage() {
  static const ConsoleAsset kPage{\"index.html\", \"text/html; charset=utf-8\",
                                  \"\\\"${index_digest}\\\"\",
                                  std::string_view(kIndex, sizeof(kIndex) - 1)};
  return kPage;
}

const ConsoleAsset* FindConsoleAsset(std::string_view name) {
  for (const ConsoleAsset& a : kAssets) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace rogatory::http
")
