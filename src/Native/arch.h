/* Selects the per-architecture layouts; the Makefile compiles each target with its own
 * compiler, so the compiler's predefined macros decide. */
#if defined(__x86_64__)
#include "arch_x86_64.h"
#elif defined(__i386__)
#include "arch_i386.h"
#elif defined(__aarch64__)
#include "arch_aarch64.h"
#elif defined(__arm__)
#include "arch_arm.h"
#else
#error "unsupported architecture"
#endif
