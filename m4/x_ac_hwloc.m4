##*****************************************************************************
#  SYNOPSIS:
#    X_AC_HWLOC
#
#  DESCRIPTION:
#    --with-hwloc[=DIR] / --without-hwloc: the Portable Hardware Locality
#    library, which reads the GPUs, NICs and their PCI paths inside a node.
#    Required by default (Debian: libhwloc-dev).
#    Sets HWLOC_CFLAGS, HWLOC_LIBS, HAVE_HWLOC (config.h and automake).
##*****************************************************************************

AC_DEFUN([X_AC_HWLOC], [
  X_AC_PKG_DEP([hwloc], [hwloc], [hwloc.h], [hwloc],
               [hwloc_topology_init], [libhwloc-dev], [hwloc])
])
