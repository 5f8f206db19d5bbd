// Must not compile: the manifest depends on no connector; app/ maps its settings to the REST proxy
// connector's options (layering_error_test.cmake checks the one error is the connector header).
#include "manifest/manifest.hpp"
#ifndef OWN_LAYER_ONLY
#include <streamhost/connector/rest_proxy.hpp>
#endif
