##*****************************************************************************
#  SYNOPSIS:
#    X_AC_IBVERBS
#
#  DESCRIPTION:
#    --with-ibverbs[=DIR] / --without-ibverbs: the RDMA verbs library, which
#    names the InfiniBand and RoCE devices of a node and their link rates.
#    Required by default (Debian: libibverbs-dev).
#    Sets IBVERBS_CFLAGS, IBVERBS_LIBS, HAVE_IBVERBS (config.h and automake).
##*****************************************************************************

AC_DEFUN([X_AC_IBVERBS], [
  X_AC_PKG_DEP([ibverbs], [libibverbs], [infiniband/verbs.h], [ibverbs],
               [ibv_get_device_list], [libibverbs-dev], [libibverbs])
])
