##*****************************************************************************
#  SYNOPSIS:
#    X_AC_CFLAGS
#
#  DESCRIPTION:
#    Flags every target is built with, through AM_CFLAGS and AM_LDFLAGS in
#    Makefile.am (CFLAGS stays the user's):
#
#      STD_CFLAGS      -std=gnu11
#      WARNING_CFLAGS  -Wall -Wextra -Werror
#      HARDEN_CFLAGS   -fstack-protector-strong, and -D_FORTIFY_SOURCE=2
#                      when CFLAGS optimises (glibc refuses it at -O0)
#      HARDEN_LDFLAGS  -Wl,-z,relro -Wl,-z,now
#
#    Each flag is kept only if the compiler accepts it without a warning.
##*****************************************************************************

# _X_AC_FLAG_IFELSE(VARIABLE, FLAGS, ACTION-IF-ACCEPTED, [ACTION-IF-NOT])
# Link a program that includes <stdio.h> with FLAGS added to VARIABLE
# (CFLAGS or LDFLAGS) and -Werror.
AC_DEFUN([_X_AC_FLAG_IFELSE], [
  x_ac_flag_save=$$1
  $1="$$1 $2 -Werror"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>]],
                                  [[char b[8]; snprintf(b, sizeof(b), "x");
                                    return b[0] != 'x';]])],
                 [$3], [$4])
  $1=$x_ac_flag_save
])

AC_DEFUN([X_AC_CFLAGS], [
  AC_MSG_CHECKING([whether $CC accepts -std=gnu11])
  _X_AC_FLAG_IFELSE([CFLAGS], [-std=gnu11],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([topopack needs a C11 compiler that accepts -std=gnu11 (gcc or clang)])])
  STD_CFLAGS="-std=gnu11"

  WARNING_CFLAGS="-Wall -Wextra -Werror"

  HARDEN_CFLAGS=""
  AC_MSG_CHECKING([whether $CC accepts -fstack-protector-strong])
  _X_AC_FLAG_IFELSE([CFLAGS], [-fstack-protector-strong],
    [AC_MSG_RESULT([yes])
     HARDEN_CFLAGS="$HARDEN_CFLAGS -fstack-protector-strong"],
    [AC_MSG_RESULT([no])])

  # _FORTIFY_SOURCE does nothing without optimisation (older C libraries
  # warn about it): add it only when CFLAGS optimise and it builds cleanly.
  AC_MSG_CHECKING([whether to use -D_FORTIFY_SOURCE=2 with CFLAGS "$CFLAGS"])
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#ifndef __OPTIMIZE__
#error CFLAGS do not optimise
#endif]], [])],
    [_X_AC_FLAG_IFELSE([CFLAGS], [-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2],
       [AC_MSG_RESULT([yes])
        HARDEN_CFLAGS="$HARDEN_CFLAGS -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2"],
       [AC_MSG_RESULT([no, the compiler warns])])],
    [AC_MSG_RESULT([no, not optimising])])

  HARDEN_LDFLAGS=""
  AC_MSG_CHECKING([whether the linker accepts -z relro -z now])
  _X_AC_FLAG_IFELSE([LDFLAGS], [-Wl,-z,relro -Wl,-z,now],
    [AC_MSG_RESULT([yes])
     HARDEN_LDFLAGS="-Wl,-z,relro -Wl,-z,now"],
    [AC_MSG_RESULT([no])])

  AC_SUBST([STD_CFLAGS])
  AC_SUBST([WARNING_CFLAGS])
  AC_SUBST([HARDEN_CFLAGS])
  AC_SUBST([HARDEN_LDFLAGS])
])
