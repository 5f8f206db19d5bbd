// Must not compile: the plugin boundary is compiled into the SDK's test harness, which carries no
// manifest code (layering_error_test.cmake checks the one error is the missing manifest header).
#include "plugin/loader.hpp"
#ifndef OWN_LAYER_ONLY
#include "manifest/manifest.hpp"
#endif
