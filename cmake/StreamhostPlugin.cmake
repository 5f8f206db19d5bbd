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
