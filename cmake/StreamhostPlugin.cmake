# streamhost_add_plugin(<name> SOURCES ... [LIBRARIES ...])
#
# Declares a processor plugin: a MODULE library named libstreamhost_<name>.so in the build's lib/
# folder, compiled with hidden visibility so only streamhost_plugin_descriptor is exported.
# Out-of-tree plugins get the same function from find_package(streamhost).
function(streamhost_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  set(target streamhost_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE streamhost::plugin_api ${ARG_LIBRARIES})
  if(TARGET streamhost::build_flags)
    target_link_libraries(${target} PRIVATE streamhost::build_flags)
  endif()
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    PREFIX "lib")
  # Unresolved symbols fail at link time, not at dlopen time.
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()

# streamhost_add_plugin_test(<name> SOURCES ... PLUGIN <plugin> [LIBRARIES ...])
#
# A test executable for a plugin declared with streamhost_add_plugin(<plugin>): it links the SDK's
# harness (streamhost::plugin_testing, streamhost/plugin_testing.hpp), gets the plugin library's
# path as STREAMHOST_PLUGIN_PATH, and is registered with CTest under <name>.
function(streamhost_add_plugin_test name)
  cmake_parse_arguments(ARG "" "PLUGIN" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_PLUGIN)
    message(FATAL_ERROR "streamhost_add_plugin_test(${name}): PLUGIN <plugin name> is required")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE streamhost::plugin_testing ${ARG_LIBRARIES})
  if(TARGET streamhost::build_flags)
    target_link_libraries(${name} PRIVATE streamhost::build_flags)
  endif()
  target_compile_definitions(${name} PRIVATE
    STREAMHOST_PLUGIN_PATH="$<TARGET_FILE:streamhost_${ARG_PLUGIN}>")
  add_dependencies(${name} streamhost_${ARG_PLUGIN})
  add_test(NAME ${name} COMMAND ${name})
endfunction()
