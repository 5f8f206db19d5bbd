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

# streamhost_add_plugin_bench(<target> PLUGIN <plugin> MANIFEST <file.yaml> [ARGS ...])
#
# A custom target, `cmake --build build --target <target>`, that measures a plugin declared with
# streamhost_add_plugin(<plugin>) with `streamhost bench -f <file.yaml> ARGS...` (docs/plugin-
# authors.md, "Benchmarking your handler"). The plugin is built first, and the manifest finds it
# through ${STREAMHOST_PLUGIN_DIR}, set to the folder the plugin is built in. The streamhost
# executable is this build's own in the streamhost tree, else STREAMHOST_EXECUTABLE, else
# `streamhost` on PATH or beside the installed SDK.
function(streamhost_add_plugin_bench target)
  cmake_parse_arguments(ARG "" "PLUGIN;MANIFEST" "ARGS" ${ARGN})
  if(NOT ARG_PLUGIN OR NOT ARG_MANIFEST)
    message(FATAL_ERROR "streamhost_add_plugin_bench(${target}): PLUGIN and MANIFEST are required")
  endif()
  if(TARGET streamhost AND NOT STREAMHOST_EXECUTABLE)
    set(executable $<TARGET_FILE:streamhost>)
  else()
    find_program(STREAMHOST_EXECUTABLE streamhost
                 HINTS ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../../../bin)
    if(NOT STREAMHOST_EXECUTABLE)
      message(WARNING "streamhost_add_plugin_bench(${target}): no streamhost executable found; put "
                      "it on PATH or set STREAMHOST_EXECUTABLE, then configure again")
      return()
    endif()
    set(executable ${STREAMHOST_EXECUTABLE})
  endif()
  string(JOIN " " shown ${ARG_ARGS})
  add_custom_target(${target}
    COMMAND ${CMAKE_COMMAND} -E env STREAMHOST_PLUGIN_DIR=$<TARGET_FILE_DIR:streamhost_${ARG_PLUGIN}>
            ${executable} bench -f ${ARG_MANIFEST} ${ARG_ARGS}
    DEPENDS streamhost_${ARG_PLUGIN}
    USES_TERMINAL
    VERBATIM
    COMMENT "streamhost bench -f ${ARG_MANIFEST} ${shown}")
endfunction()
