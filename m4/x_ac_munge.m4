##*****************************************************************************
#  SYNOPSIS:
#    X_AC_MUNGE
#
#  DESCRIPTION:
#    --with-munge[=DIR] / --without-munge: the MUNGE authentication library,
#    Slurm's default way to authenticate messages between hosts.
#    Required by default (Debian: libmunge-dev).
#    Sets MUNGE_CFLAGS, MUNGE_LIBS, HAVE_MUNGE (config.h and automake).
##*****************************************************************************

AC_DEFUN([X_AC_MUNGE], [
  X_AC_PKG_DEP([munge], [munge], [munge.h], [munge],
               [munge_encode], [libmunge-dev], [MUNGE])
])
