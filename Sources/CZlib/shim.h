#ifndef YUNHE_CZLIB_SHIM_H
#define YUNHE_CZLIB_SHIM_H

#include <zlib.h>

/* inflateInit2 is a macro (it passes ZLIB_VERSION and sizeof(z_stream)), which Swift cannot
   import, so it is wrapped here. windowBits 15 + 32 accepts gzip and zlib headers. */
static inline int yunhe_inflate_init_auto(z_streamp stream) {
  return inflateInit2(stream, 15 + 32);
}

#endif
