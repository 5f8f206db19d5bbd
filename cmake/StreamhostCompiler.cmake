# Warnings and sanitizers, applied through one interface target every project target links.
add_library(streamhost_build_flags INTERFACE)
add_library(streamhost::build_flags ALIAS streamhost_build_flags)
target_compile_options(streamhost_build_flags INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough)

if(STREAMHOST_SANITIZE)
  # Applied globally so dlopen'ed plugins and test fixtures share the host's sanitizer runtime.
  # vptr: cpprestsdk's astreambuf.h trips a known false positive (upstream issue 472).
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(STREAMHOST_TSAN)
  if(STREAMHOST_SANITIZE)
    message(FATAL_ERROR "STREAMHOST_TSAN and STREAMHOST_SANITIZE cannot be combined")
  endif()
  # Global for the same reason as above. cpprestsdk, Boost.Asio's compiled parts and OpenSSL are
  # not instrumented: tests/sanitizers/tsan.supp names what TSan cannot see through there.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

if(STREAMHOST_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STREAMHOST_FUZZ needs clang (CXX=clang++-14), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # Coverage for libFuzzer in every library the harnesses link; the harness binaries add
  # -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt). vptr: the same cpprestsdk false positive as above.
  # pointer-overflow stays recoverable so tests/fuzz/ubsan.supp can silence RapidJSON 1.1's
  # null-stack arithmetic; UBSAN_OPTIONS=halt_on_error=1 still stops on any other. RapidJSON 1.1's
  # iterator comparisons are ambiguous under C++20 rules for clang (a warning per use, harmless).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr
                      -fno-omit-frame-pointer -fno-sanitize-recover=undefined
                      -fsanitize-recover=pointer-overflow -Wno-ambiguous-reversed-operator)
  add_link_options(-fsanitize=address,undefined)
endif()
