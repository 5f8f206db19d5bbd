# CTest script: installs the plugin SDK of a streamhost build into a scratch prefix, builds this
# example against it with find_package(streamhost), runs its harness test and checks the host loads
# the result.
# Arguments: STREAMHOST_BUILD_DIR, EXAMPLE_SOURCE_DIR, WORK_DIR, STREAMHOST_BIN, SANITIZER_FLAGS
# (the build's sanitizer flags, which the installed harness library carries; empty otherwise), and
# PLUGIN (the example's plugin name; field_mapper when not given, as this folder's example).
file(REMOVE_RECURSE ${WORK_DIR})
if(NOT DEFINED PLUGIN)
  set(PLUGIN field_mapper)
endif()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${step} failed (${rc}):\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run("install the SDK" ${CMAKE_COMMAND} --install ${STREAMHOST_BUILD_DIR} --prefix ${WORK_DIR}/prefix
    --component streamhost_sdk)
run("configure the example" ${CMAKE_COMMAND} -S ${EXAMPLE_SOURCE_DIR} -B ${WORK_DIR}/build -G Ninja
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_CXX_FLAGS=${SANITIZER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${SANITIZER_FLAGS}")
run("build the example" ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
run("run the example's harness test" ${CMAKE_COMMAND} -E chdir ${WORK_DIR}/build ctest
    --output-on-failure)
run("inspect the plugin" ${STREAMHOST_BIN} plugins inspect
    ${WORK_DIR}/build/libstreamhost_${PLUGIN}.so)
if(NOT last_output MATCHES "name:        ${PLUGIN}")
  message(FATAL_ERROR "unexpected inspect output:\n${last_output}")
endif()
message(STATUS "out-of-tree plugin built and loaded")
