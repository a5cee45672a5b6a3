#ifndef CHTTPX_ZLIB_SHIM_H
#define CHTTPX_ZLIB_SHIM_H
#include <zlib.h>

/// `inflateInit2` is a macro in zlib.h; this wrapper makes it callable from Swift.
static inline int chttpx_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
/// `deflateInit2` is a macro too; the tests use it to make gzip and deflate bodies.
static inline int chttpx_deflate_init2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
