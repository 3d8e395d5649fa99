##*****************************************************************************
#  SYNOPSIS:
#    X_AC_IBNETDISC
#
#  DESCRIPTION:
#    --with-ibnetdisc[=DIR] / --without-ibnetdisc: the InfiniBand fabric
#    discovery library of infiniband-diags, with which topopack-discover
#    fabric --live walks the fabric itself. Required by default (Debian:
#    libibnetdisc-dev). libibmad, which decodes the port records it
#    returns, comes with it.
#    Sets IBNETDISC_CFLAGS, IBNETDISC_LIBS, HAVE_IBNETDISC (config.h and
#    automake).
##*****************************************************************************

AC_DEFUN([X_AC_IBNETDISC], [
  X_AC_PKG_DEP([ibnetdisc], [libibnetdisc], [infiniband/ibnetdisc.h],
               [ibnetdisc], [ibnd_discover_fabric], [libibnetdisc-dev],
               [libibnetdisc])
  # libibnetdisc's pkg-config module lists libibmad as private.
  AS_IF([test "x$x_ac_ibnetdisc" = xyes],
    [IBNETDISC_LIBS="$IBNETDISC_LIBS -libmad"])
])
