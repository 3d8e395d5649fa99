##*****************************************************************************
#  SYNOPSIS:
#    X_AC_CHECK
#
#  DESCRIPTION:
#    The Check unit test framework, found with pkg-config (module "check").
#    Only "make check" needs it: when it is missing configure warns and
#    "make check" fails, naming the Debian package to install.
#    Sets CHECK_CFLAGS, CHECK_LIBS and the automake conditional HAVE_CHECK.
##*****************************************************************************

AC_DEFUN([X_AC_CHECK], [
  PKG_CHECK_MODULES([CHECK], [check >= 0.11.0], [x_ac_check=yes], [
    x_ac_check=no
    AC_MSG_WARN([the Check unit test framework was not found: "make check"
  will fail until the Debian package check is installed (apt-get install check)])
  ])
  AM_CONDITIONAL([HAVE_CHECK], [test "x$x_ac_check" = xyes])
])
