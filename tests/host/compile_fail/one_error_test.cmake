# CTest script: compiles a plugin that must not compile (a handler with a wrong signature, an option
# of a type typed config cannot hold) and checks that the compiler stops with exactly one error, the
# helper's static_assert, instead of a wall of template errors. Arguments: CXX, INCLUDE_DIR, SOURCE,
# EXPECTED (a regex the one error must match), and optionally AT (a regex the output must also
# match, such as the "required from here" note at the offending line).
execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must not")
endif()
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  message(FATAL_ERROR "expected one error, got ${error_count}:\n${out}")
endif()
if(NOT out MATCHES "${EXPECTED}")
  message(FATAL_ERROR "the error is not the helper's message:\n${out}")
endif()
if(DEFINED AT AND NOT out MATCHES "${AT}")
  message(FATAL_ERROR "the error does not point at the offending line (${AT}):\n${out}")
endif()
message(STATUS "one readable error, as intended")
