# CTest script: compiles SOURCE with exactly the include directories one host layer's target sees
# (INCLUDE_DIRS, "|"-separated), twice:
#   - with OWN_LAYER_ONLY defined, SOURCE includes only headers the layer may use: this must compile,
#     which shows the include directories are the right ones;
#   - without it, SOURCE also includes FORBIDDEN, a header of a layer above (or beside) it: this must
#     stop with the one error that FORBIDDEN cannot be found ("No such file").
# If the layering were undone (a shared include root, or the target linking the forbidden layer),
# the second compile would succeed and this test would fail. Arguments: CXX, INCLUDE_DIRS, SOURCE,
# FORBIDDEN.
string(REPLACE "|" ";" include_dirs "${INCLUDE_DIRS}")
set(include_flags)
foreach(dir ${include_dirs})
  list(APPEND include_flags -I${dir})
endforeach()
set(compile ${CXX} -std=c++20 -fsyntax-only ${include_flags} ${SOURCE})

execute_process(COMMAND ${compile} -DOWN_LAYER_ONLY RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} does not compile even without ${FORBIDDEN}:\n${out}")
endif()

execute_process(COMMAND ${compile} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled: ${FORBIDDEN} is reachable from a layer below it")
endif()
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)
string(REPLACE "." "\\." forbidden_pattern "${FORBIDDEN}")
# gcc: "admin/x.hpp: No such file or directory"; clang: "'admin/x.hpp' file not found".
set(not_found "(${forbidden_pattern}: No such file|'${forbidden_pattern}' file not found)")
if(NOT error_count EQUAL 1 OR NOT out MATCHES "${not_found}")
  message(FATAL_ERROR "expected the one error that ${FORBIDDEN} cannot be found, got:\n${out}")
endif()
message(STATUS "${FORBIDDEN} is out of reach, as the layering intends")
