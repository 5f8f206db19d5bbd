# Install rules and the package config that lets an out-of-tree plugin do
#   find_package(streamhost REQUIRED)
#   streamhost_add_plugin(my_plugin SOURCES my_plugin.cpp)   # links streamhost::plugin_api
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugin/include/streamhost
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS streamhost_plugin_api EXPORT streamhostTargets)
install(EXPORT streamhostTargets NAMESPACE streamhost::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streamhost)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/streamhostConfig.cmake.in
  ${PROJECT_BINARY_DIR}/streamhostConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streamhost)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/streamhostConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/streamhostConfig.cmake
              ${PROJECT_BINARY_DIR}/streamhostConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/StreamhostPlugin.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/streamhost)
