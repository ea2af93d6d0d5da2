# Every dependency comes from Debian 12's packages; nothing is downloaded at build time.
find_package(Threads REQUIRED)
find_package(Boost 1.74 CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
# Howard Hinnant's date/tz (libhowardhinnant-date-dev) over the system's tzdata
# (/usr/share/zoneinfo): the deployment's time_zone for whole-day deadlines.
find_package(date CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)

# cpp-httplib 0.11 is a compiled library found only through pkg-config; its Cflags
# (CPPHTTPLIB_OPENSSL_SUPPORT ...) must reach every file that includes httplib.h.
pkg_check_modules(httplib REQUIRED IMPORTED_TARGET cpp-httplib)

# SOCI 4.0.3 ships neither a CMake package nor a .pc file: wrap its libraries once.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
if(NOT TARGET soci::core)
  add_library(soci::core UNKNOWN IMPORTED)
  set_target_properties(soci::core PROPERTIES
    IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS};Threads::Threads")
  add_library(soci::sqlite3 UNKNOWN IMPORTED)
  set_target_properties(soci::sqlite3 PROPERTIES
    IMPORTED_LOCATION "${SOCI_SQLITE3_LIBRARY}"
    INTERFACE_LINK_LIBRARIES "soci::core;SQLite::SQLite3")
  add_library(soci::postgresql UNKNOWN IMPORTED)
  set_target_properties(soci::postgresql PROPERTIES
    IMPORTED_LOCATION "${SOCI_POSTGRESQL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${PostgreSQL_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "soci::core;${PostgreSQL_LIBRARIES}")
endif()

if(ROGATORY_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(ROGATORY_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()

# Applies the project's compile settings to one of its own targets.
function(rogatory_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_17)
  # Include MSM's bind users quietly: Boost 1.74 warns about global placeholders otherwise.
  target_compile_definitions(${target} PRIVATE BOOST_BIND_GLOBAL_PLACEHOLDERS)
endfunction()
