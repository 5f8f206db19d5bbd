/* One field of a struct as one version of plugin_api.h lays it out (see abi_1_1_layout.c and
 * abi_1_2_layout.c). */
#ifndef STREAMHOST_TESTS_ABI_1_1_LAYOUT_H
#define STREAMHOST_TESTS_ABI_1_1_LAYOUT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct abi_field_layout {
  const char* type;
  const char* field;
  size_t offset;
  size_t type_size;
} abi_field_layout;

extern const abi_field_layout abi_1_1_fields[];
extern const size_t abi_1_1_field_count;
/* ABI 1.2, from the frozen 1.2 header (abi_1_2_layout.c). */
extern const abi_field_layout abi_1_2_fields[];
extern const size_t abi_1_2_field_count;

#ifdef __cplusplus
}
#endif

#endif
