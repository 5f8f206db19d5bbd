# Install rules and the package config that lets an out-of-tree plugin do
#   find_package(streamhost REQUIRED)
#   streamhost_add_plugin(my_plugin SOURCES my_plugin.cpp)   # links streamhost::plugin_api
#   streamhost_add_plugin_test(my_plugin_test SOURCES my_plugin_test.cpp PLUGIN my_plugin)
#
# The plugin SDK (the ABI headers, the streamhost::plugin_api target, the JSON view's
# streamhost::plugin_json, the test harness library
# streamhost::plugin_testing and the CMake functions) is the `streamhost_sdk` component, so
# `cmake --install build --component streamhost_sdk` installs only what a plugin author needs.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugin/include/streamhost
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT streamhost_sdk)
# The bounded JSON parser record_json.hpp is built on, beside the SDK's headers.
install(FILES ${PROJECT_SOURCE_DIR}/common/include/streamhost/json/bounded_parse.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/streamhost/json COMPONENT streamhost_sdk)
install(TARGETS streamhost_plugin_api streamhost_plugin_json streamhost_plugin_testing
        EXPORT streamhostTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT streamhost_sdk)
install(EXPORT streamhostTargets NAMESPACE streamhost::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streamhost COMPONENT streamhost_sdk)

# The ABI version the installed headers declare, for find_package callers that want to check it.
file(STRINGS ${PROJECT_SOURCE_DIR}/plugin/include/streamhost/plugin_api.h abi_lines
     REGEX "#define SH_PLUGIN_ABI_M(AJ|IN)OR ")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*" "\\1.\\2" STREAMHOST_PLUGIN_ABI_VERSION
       "${abi_lines}")
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/streamhostConfig.cmake.in
  ${PROJECT_BINARY_DIR}/streamhostConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streamhost)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/streamhostConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/streamhostConfig.cmake
              ${PROJECT_BINARY_DIR}/streamhostConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/StreamhostPlugin.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streamhost COMPONENT streamhost_sdk)
