##*****************************************************************************
#  SYNOPSIS:
#    X_AC_ZLIB
#
#  DESCRIPTION:
#    --with-zlib[=DIR] / --without-zlib: zlib, with which topopack-sim
#    reads gzip-compressed job traces (the Parallel Workloads Archive
#    ships them so). Required by default (Debian: zlib1g-dev); without it
#    topopack-sim is not built.
#    Sets ZLIB_CFLAGS, ZLIB_LIBS, HAVE_ZLIB (config.h and automake).
##*****************************************************************************

AC_DEFUN([X_AC_ZLIB], [
  X_AC_PKG_DEP([zlib], [zlib], [zlib.h], [z],
               [gzopen], [zlib1g-dev], [zlib])
])
