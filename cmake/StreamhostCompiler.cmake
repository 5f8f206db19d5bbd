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
