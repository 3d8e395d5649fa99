##*****************************************************************************
#  SYNOPSIS:
#    X_AC_PKG_DEP(NAME, PKG-MODULE, HEADER, LIBRARY, FUNCTION,
#                 DEBIAN-PACKAGE, DESCRIPTION)
#
#  DESCRIPTION:
#    Shared body of the --with-NAME options for libraries topopack needs
#    by default (hwloc, ibverbs, munge).
#
#      --with-NAME       (the default) require the library
#      --with-NAME=DIR   require it, installed under the prefix DIR
#      --without-NAME    build without it
#
#    pkg-config is asked first (with DIR's pkgconfig directories in front
#    when DIR is given), then the compiler's default paths (or DIR/include
#    and DIR/lib). A library that is required and not found stops configure
#    with the Debian package to install and the option that opts out.
#
#    Sets and substitutes NAME_CFLAGS and NAME_LIBS (upper case), defines
#    HAVE_NAME in config.h and the automake conditional HAVE_NAME.
##*****************************************************************************

AC_DEFUN([X_AC_PKG_DEP], [
  m4_pushdef([_X_UP], m4_toupper([$1]))

  AC_ARG_WITH([$1],
    [AS_HELP_STRING([--with-$1@<:@=DIR@:>@],
                    [use $7, installed under prefix DIR (default: required,
                     found with pkg-config)])
AS_HELP_STRING([--without-$1], [build without $7])],
    [], [with_$1=yes])

  x_ac_$1=no
  AS_IF([test "x$with_$1" != xno], [
    # With DIR, pkg-config is asked only if DIR has its own $2.pc, so
    # that a system copy is never taken for the one in DIR.
    x_ac_$1_pc=yes
    AS_IF([test "x$with_$1" != xyes], [
      AS_IF([test -d "$with_$1"], [],
        [AC_MSG_ERROR([--with-$1=$with_$1: no such directory])])
      x_ac_$1_pc=no
      x_ac_$1_save_PKG_CONFIG_PATH=$PKG_CONFIG_PATH
      for x_ac_$1_dir in lib/pkgconfig lib64/pkgconfig share/pkgconfig; do
        AS_IF([test -f "$with_$1/$x_ac_$1_dir/$2.pc"], [
          x_ac_$1_pc=yes
          PKG_CONFIG_PATH="$with_$1/$x_ac_$1_dir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
        ])
      done
      export PKG_CONFIG_PATH
    ])

    AS_IF([test "x$x_ac_$1_pc" = xyes], [
      PKG_CHECK_MODULES(_X_UP, [$2], [x_ac_$1=yes], [x_ac_$1=no])
    ])

    AS_IF([test "x$with_$1" != xyes], [
      PKG_CONFIG_PATH=$x_ac_$1_save_PKG_CONFIG_PATH
    ])

    AS_IF([test "x$x_ac_$1" = xno], [
      AS_IF([test "x$with_$1" = xyes],
        [_X_UP[]_CFLAGS=""
         _X_UP[]_LIBS="-l$4"],
        [_X_UP[]_CFLAGS="-I$with_$1/include"
         _X_UP[]_LIBS="-L$with_$1/lib -l$4"])
      x_ac_$1_save_CPPFLAGS=$CPPFLAGS
      x_ac_$1_save_LIBS=$LIBS
      CPPFLAGS="$CPPFLAGS $_X_UP[]_CFLAGS"
      LIBS="$_X_UP[]_LIBS $LIBS"
      AC_MSG_CHECKING([for $5 in $_X_UP[]_LIBS])
      AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <$3>]],
                                      [[void *p = (void *) $5; (void) p;]])],
        [x_ac_$1=yes], [x_ac_$1=no])
      AC_MSG_RESULT([$x_ac_$1])
      CPPFLAGS=$x_ac_$1_save_CPPFLAGS
      LIBS=$x_ac_$1_save_LIBS
    ])

    AS_IF([test "x$x_ac_$1" = xno], [
      AS_IF([test "x$with_$1" = xyes],
        [x_ac_$1_where="pkg-config module $2 or <$3>"],
        [x_ac_$1_where="$2 under $with_$1"])
      AC_MSG_ERROR([$7 not found ($x_ac_$1_where).
  Install the Debian package $6 (apt-get install $6),
  point --with-$1=DIR at the prefix it is installed under,
  or build without it: --without-$1])
    ])
    AC_DEFINE([HAVE_]_X_UP, [1], [Define to 1 to build with $7.])
  ], [
    _X_UP[]_CFLAGS=""
    _X_UP[]_LIBS=""
  ])

  AC_SUBST(_X_UP[_CFLAGS])
  AC_SUBST(_X_UP[_LIBS])
  AM_CONDITIONAL([HAVE_]_X_UP, [test "x$x_ac_$1" = xyes])
  m4_popdef([_X_UP])
])
