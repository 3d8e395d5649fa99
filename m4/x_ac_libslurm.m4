##*****************************************************************************
#  SYNOPSIS:
#    X_AC_LIBSLURM
#
#  DESCRIPTION:
#    --with-libslurm[=DIR] / --without-libslurm: Slurm's client library,
#    with which topopack-status reads the nodes and jobs of the running
#    cluster (slurm_load_node, slurm_load_jobs). Optional: by default it
#    is used when found (Debian: libslurm-dev), and topopack-status reads
#    only snapshot files without it; --with-libslurm requires it,
#    --with-libslurm=DIR requires it under the prefix DIR.
#    pkg-config (module slurm) is asked first, then <slurm/slurm.h> and
#    -lslurm (DIR/include and DIR/lib with DIR).
#    Sets LIBSLURM_CFLAGS, LIBSLURM_LIBS, HAVE_LIBSLURM (config.h and
#    automake).
##*****************************************************************************

AC_DEFUN([X_AC_LIBSLURM], [
  AC_ARG_WITH([libslurm],
    [AS_HELP_STRING([--with-libslurm@<:@=DIR@:>@],
                    [read the live cluster in topopack-status with
                     libslurm, installed under prefix DIR (default: when
                     found)])
AS_HELP_STRING([--without-libslurm], [build topopack-status without it])],
    [], [with_libslurm=check])

  x_ac_libslurm=no
  AS_IF([test "x$with_libslurm" != xno], [
    AS_CASE([$with_libslurm],
      [yes|check], [],
      [AS_IF([test -d "$with_libslurm"], [],
         [AC_MSG_ERROR([--with-libslurm=$with_libslurm: no such directory])])])

    AS_IF([test "x$with_libslurm" = xyes || test "x$with_libslurm" = xcheck],
      [PKG_CHECK_MODULES([LIBSLURM], [slurm], [x_ac_libslurm=yes],
                         [x_ac_libslurm=no])])

    AS_IF([test "x$x_ac_libslurm" = xno], [
      AS_CASE([$with_libslurm],
        [yes|check], [LIBSLURM_CFLAGS=""
                      LIBSLURM_LIBS="-lslurm"],
        [LIBSLURM_CFLAGS="-I$with_libslurm/include"
         LIBSLURM_LIBS="-L$with_libslurm/lib -lslurm"])
      x_ac_libslurm_save_CPPFLAGS=$CPPFLAGS
      x_ac_libslurm_save_LIBS=$LIBS
      CPPFLAGS="$CPPFLAGS $LIBSLURM_CFLAGS"
      LIBS="$LIBSLURM_LIBS $LIBS"
      AC_MSG_CHECKING([for slurm_load_node in $LIBSLURM_LIBS])
      AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <slurm/slurm.h>]],
                                      [[void *p = (void *) slurm_load_node;
                                        (void) p;]])],
        [x_ac_libslurm=yes], [x_ac_libslurm=no])
      AC_MSG_RESULT([$x_ac_libslurm])
      CPPFLAGS=$x_ac_libslurm_save_CPPFLAGS
      LIBS=$x_ac_libslurm_save_LIBS
    ])

    AS_IF([test "x$x_ac_libslurm" = xno], [
      AS_IF([test "x$with_libslurm" = xcheck],
        [AC_MSG_WARN([libslurm not found: topopack-status will read
  snapshot files only. Install the Debian package libslurm-dev
  (apt-get install libslurm-dev) for the live cluster.])],
        [AC_MSG_ERROR([libslurm not found (<slurm/slurm.h>, -lslurm).
  Install the Debian package libslurm-dev (apt-get install libslurm-dev),
  point --with-libslurm=DIR at the prefix it is installed under,
  or build without it: --without-libslurm])])
    ])
  ])

  AS_IF([test "x$x_ac_libslurm" = xyes],
    [AC_DEFINE([HAVE_LIBSLURM], [1],
               [Define to 1 to read the live cluster with libslurm.])],
    [LIBSLURM_CFLAGS=""
     LIBSLURM_LIBS=""])
  AC_SUBST([LIBSLURM_CFLAGS])
  AC_SUBST([LIBSLURM_LIBS])
  AM_CONDITIONAL([HAVE_LIBSLURM], [test "x$x_ac_libslurm" = xyes])
])
