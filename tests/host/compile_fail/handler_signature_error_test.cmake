# CTest script: compiles a plugin whose handler has a wrong signature and checks that the compiler
# stops with exactly one error, plugin.hpp's static_assert naming the accepted forms, instead of a
# wall of template errors. Arguments: CXX, INCLUDE_DIR, SOURCE.
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but its handler signature is wrong")
endif()
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  message(FATAL_ERROR "expected one error, got ${error_count}:\n${out}")
endif()
if(NOT out MATCHES "streamhost::plugin::handler<F>: F must be a member function")
  message(FATAL_ERROR "the error is not the helper's message:\n${out}")
endif()
message(STATUS "one readable error, as intended")
