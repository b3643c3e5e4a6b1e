/* Compiled with -std=c99 -pedantic -Werror: the public header must be plain C. */
#include "rvc/rvc.h"

int rvc_header_compiles_as_c99(void) { return RVC_OK; }
