# Every third-party library comes from Debian packages (see scripts/install-deps).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(cpprestsdk REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
find_package(RapidJSON REQUIRED)
find_package(yaml-cpp REQUIRED)
# Header-only: Boost.Math's distributions (binomial, normal) for `streamhost bench`'s intervals.
find_package(Boost 1.74 REQUIRED)

# cpprestsdk on Debian does not carry OpenSSL in its link interface: add it explicitly.
add_library(streamhost_cpprest INTERFACE)
add_library(streamhost::cpprest ALIAS streamhost_cpprest)
target_link_libraries(streamhost_cpprest INTERFACE cpprestsdk::cpprest OpenSSL::SSL OpenSSL::Crypto
                                                  Threads::Threads)

# Small header-only helpers over cpprestsdk shared by the connectors and plugins.
add_library(streamhost_net INTERFACE)
add_library(streamhost::net ALIAS streamhost_net)
target_include_directories(streamhost_net INTERFACE ${PROJECT_SOURCE_DIR}/common/include)
target_link_libraries(streamhost_net INTERFACE streamhost_cpprest)

add_library(streamhost_rapidjson INTERFACE)
add_library(streamhost::rapidjson ALIAS streamhost_rapidjson)
target_include_directories(streamhost_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
# std::string overloads in RapidJSON's API.
target_compile_definitions(streamhost_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

# Bounded (iterative, depth-limited) JSON parsing for bytes from outside: header-only.
add_library(streamhost_json INTERFACE)
add_library(streamhost::json ALIAS streamhost_json)
target_include_directories(streamhost_json INTERFACE ${PROJECT_SOURCE_DIR}/common/include)
target_link_libraries(streamhost_json INTERFACE streamhost_rapidjson)

add_library(streamhost_libpq INTERFACE)
add_library(streamhost::libpq ALIAS streamhost_libpq)
target_link_libraries(streamhost_libpq INTERFACE PkgConfig::LIBPQ)

if(STREAMHOST_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(STREAMHOST_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
