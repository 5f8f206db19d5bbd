# CTest script: what a plugin author does after installing the SDK, run word for word in a scratch
# folder:
#   streamhost plugins new demo && cmake -S demo -B demo/build && cmake --build demo/build &&
#   ctest --test-dir demo/build && cmake --build demo/build --target bench
# The SDK of this build is installed into WORK_DIR/prefix and found through CMAKE_PREFIX_PATH in the
# environment, as an author's shell would have it; `streamhost` is found on PATH.
# Arguments: STREAMHOST_BUILD_DIR, WORK_DIR, STREAMHOST_BIN, SANITIZER_FLAGS (the build's sanitizer
# flags, which the installed harness library was compiled with; empty otherwise).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

execute_process(COMMAND ${CMAKE_COMMAND} --install ${STREAMHOST_BUILD_DIR} --prefix ${WORK_DIR}/prefix
                        --component streamhost_sdk
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installing the SDK failed (${rc}):\n${out}")
endif()

get_filename_component(bin_dir ${STREAMHOST_BIN} DIRECTORY)
set(ENV{PATH} "${bin_dir}:$ENV{PATH}")
set(ENV{CMAKE_PREFIX_PATH} ${WORK_DIR}/prefix)
if(SANITIZER_FLAGS)
  set(ENV{CXXFLAGS} "${SANITIZER_FLAGS}")
  set(ENV{LDFLAGS} "${SANITIZER_FLAGS}")
endif()

set(command "streamhost plugins new demo && cmake -S demo -B demo/build && cmake --build demo/build && ctest --test-dir demo/build")
execute_process(COMMAND sh -c "${command}" WORKING_DIRECTORY ${WORK_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "`${command}` failed (${rc}):\n${out}")
endif()
if(NOT out MATCHES "100% tests passed, 0 tests failed out of 1")
  message(FATAL_ERROR "the generated plugin's test did not run and pass:\n${out}")
endif()

# The generated bench target, as docs/plugin-authors.md tells an author to run it.
set(command "cmake --build demo/build --target bench")
execute_process(COMMAND sh -c "${command}" WORKING_DIRECTORY ${WORK_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "`${command}` failed (${rc}):\n${out}")
endif()
if(NOT out MATCHES "route main \\(demo/append\\): 20000 records, OK 20000, REJECT 0")
  message(FATAL_ERROR "the generated bench target did not measure the handler:\n${out}")
endif()
message(STATUS "plugins new: generated, built, its test passed and its bench ran")
