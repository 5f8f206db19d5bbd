// Must not compile: the runtime sits below the admin endpoint, so its target cannot see admin/
// (layering_error_test.cmake checks the one error is the missing admin header).
#include "runtime/pipeline.hpp"
#ifndef OWN_LAYER_ONLY
#include "admin/admin_server.hpp"
#endif
