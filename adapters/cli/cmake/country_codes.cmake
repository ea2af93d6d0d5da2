# Writes OUTPUT, a C++ file defining rogatory::cli::IsAssignedCountryCode from the system's
# list of assigned ISO 3166-1 alpha-2 codes (tzdata's iso3166.tab: "CC<TAB>name" lines), so
# the config checks countries against the real list without hand-copying it.
# Run as: cmake -DINPUT=/usr/share/zoneinfo/iso3166.tab -DOUTPUT=country_codes.cc -P country_codes.cmake
file(STRINGS ${INPUT} lines REGEX "^[A-Z][A-Z]\t")
set(codes "")
foreach(line IN LISTS lines)
  string(SUBSTRING "${line}" 0 2 code)
  string(APPEND codes "${code}")
endforeach()
string(LENGTH "${codes}" length)
if(length LESS 400)
  message(FATAL_ERROR "${INPUT} lists too few ISO 3166 codes (${length} characters)")
endif()
file(WRITE ${OUTPUT}.tmp
"// Generated from ${INPUT} by adapters/cli/cmake/country_codes.cmake. Do not edit.
#include <string_view>

#include \"config.h\"

namespace rogatory::cli {

bool IsAssignedCountryCode(std::string_view code) {
  static constexpr std::string_view kCodes = \"${codes}\";
  if (code.size() != 2) return false;
  for (size_t i = 0; i + 1 < kCodes.size(); i += 2) {
    if (kCodes.substr(i, 2) == code) return true;
  }
  return false;
}

}  // namespace rogatory::cli
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
