##*****************************************************************************
#  SYNOPSIS:
#    X_AC_SANITIZERS
#
#  DESCRIPTION:
#    --enable-sanitizers: build everything with AddressSanitizer (leak
#    checking included) and UndefinedBehaviorSanitizer, stopping at the
#    first error. For test builds; test/run uses it for its second pass.
#    Adds the flags to CFLAGS and LDFLAGS.
##*****************************************************************************

AC_DEFUN([X_AC_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
                    [build with AddressSanitizer and
                     UndefinedBehaviorSanitizer (for testing)])],
    [], [enable_sanitizers=no])

  x_ac_sanitize_flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  AC_MSG_CHECKING([whether to build with sanitizers])
  AS_CASE([$enable_sanitizers],
    [no], [AC_MSG_RESULT([no])],
    [yes], [
      AC_MSG_RESULT([yes])
      CFLAGS="$CFLAGS $x_ac_sanitize_flags"
      LDFLAGS="$LDFLAGS $x_ac_sanitize_flags"
      AC_MSG_CHECKING([whether $CC can build with the sanitizers])
      AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
        [AC_MSG_RESULT([yes])],
        [AC_MSG_RESULT([no])
         AC_MSG_ERROR([$CC cannot link with $x_ac_sanitize_flags;
  install the compiler's sanitizer runtimes (Debian: gcc brings libasan and
  libubsan) or configure without --enable-sanitizers])])
    ],
    [AC_MSG_ERROR([bad value "$enable_sanitizers" for --enable-sanitizers])])
])
