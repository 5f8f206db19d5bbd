# streamhost_add_test(<name> SOURCES ... [LIBRARIES ...] [LABELS ...] [PROPERTIES ...])
#
# One GoogleTest executable registered with CTest test by test. Label `integration` marks suites that
# need the local stack (manifests/local/stack up; the endpoints come from `stack env`). PROPERTIES
# are extra CTest properties of every test (for example FIXTURES_REQUIRED <fixture>).
#
# With STREAMHOST_STACK_TESTS=OFF (the ASan build: it runs only what needs no stack), a suite labelled
# `integration` or `model` is still declared, so the target_* calls after it work, but it is left
# out of `all` and of CTest: nothing is compiled that the build would never run.
function(streamhost_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS;PROPERTIES" ${ARGN})
  set(needs_stack FALSE)
  if("integration" IN_LIST ARG_LABELS OR "model" IN_LIST ARG_LABELS)
    set(needs_stack TRUE)
  endif()
  if(needs_stack AND NOT STREAMHOST_STACK_TESTS)
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main streamhost::build_flags
                                          ${ARG_LIBRARIES})
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main streamhost::build_flags
                                        ${ARG_LIBRARIES})
  if(TARGET streamhost::test_support)
    target_link_libraries(${name} PRIVATE streamhost::test_support)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # An empty LABELS value would swallow the next property name, so add it only when given.
  set(properties TIMEOUT ${ARG_TIMEOUT})
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  if(ARG_PROPERTIES)
    list(APPEND properties ${ARG_PROPERTIES})
  endif()
  if(STREAMHOST_SANITIZE)
    list(APPEND properties ENVIRONMENT
         "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/lsan.supp")
  endif()
  if(STREAMHOST_TSAN)
    list(APPEND properties ENVIRONMENT
         "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 suppressions=${PROJECT_SOURCE_DIR}/tests/sanitizers/tsan.supp")
  endif()
  gtest_discover_tests(${name} PROPERTIES ${properties} DISCOVERY_TIMEOUT 60)
endfunction()
