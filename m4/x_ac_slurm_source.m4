##*****************************************************************************
#  SYNOPSIS:
#    X_AC_SLURM_SOURCE
#
#  DESCRIPTION:
#    --with-slurm-source=DIR: the Slurm source tree the plugins are built
#    against. Select and topology plugins use Slurm's internal headers and
#    load only into the exact Slurm release (micro version included) they
#    were compiled for, so DIR must be the source of the Slurm that runs,
#    with Slurm's own ./configure run in it (for config.h and
#    slurm/slurm_version.h; no make is needed).
#
#    Without the option the plugins are not built. A bare
#    --with-slurm-source, or a DIR that is not a configured Slurm tree, is
#    an error.
#
#    The release decides which plugins are built. 22.05: select/topopack
#    and topology/topopack (select places, topology publishes the
#    fabric). 24.11 and later: topology/topopack alone, which places
#    jobs through the topology plugin API (topology_p_eval_nodes) under
#    stock select/cons_tres. Releases in between (23.02-24.05) are
#    refused. The SPANK plugin is built for every release.
#
#    Sets SLURM_SOURCE_DIR (absolute), SLURM_SOURCE_VERSION (from
#    DIR/META) and the automake conditionals HAVE_SLURM_SOURCE and
#    SLURM_SELECT_PLUGIN (22.05).
##*****************************************************************************

AC_DEFUN([X_AC_SLURM_SOURCE], [
  AC_ARG_WITH([slurm-source],
    [AS_HELP_STRING([--with-slurm-source=DIR],
                    [configured Slurm source tree to build the plugins
                     against (the exact release that runs them)])],
    [], [with_slurm_source=no])

  SLURM_SOURCE_DIR=""
  SLURM_SOURCE_VERSION=""
  x_ac_slurm_select=no
  AS_CASE([$with_slurm_source],
    [no], [
      AC_MSG_NOTICE([no --with-slurm-source=DIR: the Slurm plugins are not built])
    ],
    [yes|""], [
      AC_MSG_ERROR([--with-slurm-source needs a directory:
  --with-slurm-source=DIR, DIR a Slurm source tree in which ./configure
  has been run])
    ],
    [
      AC_MSG_CHECKING([for a configured Slurm source tree in $with_slurm_source])
      AS_IF([test -d "$with_slurm_source"], [], [
        AC_MSG_RESULT([no])
        AC_MSG_ERROR([--with-slurm-source=$with_slurm_source: no such directory])
      ])
      x_ac_slurm_dir=`cd "$with_slurm_source" && pwd`
      x_ac_slurm_missing=""
      for x_ac_slurm_file in \
          src/common/bitstring.h \
          src/slurmctld/slurmctld.h \
          slurm/slurm.h \
          META \
          config.h \
          slurm/slurm_version.h
      do
        test -f "$x_ac_slurm_dir/$x_ac_slurm_file" ||
          x_ac_slurm_missing="$x_ac_slurm_missing $x_ac_slurm_file"
      done
      AS_IF([test -n "$x_ac_slurm_missing"], [
        AC_MSG_RESULT([no])
        AC_MSG_ERROR([$x_ac_slurm_dir is not a configured Slurm source tree;
  missing:$x_ac_slurm_missing
  DIR must be the top of a Slurm source tree, and Slurm's ./configure must
  have been run in it (cd $x_ac_slurm_dir && ./configure) to create config.h
  and slurm/slurm_version.h])
      ])
      AC_MSG_RESULT([yes])

      # META says "Version: 22.05.8" (older releases: "Version: 2.6" and
      # "Micro: 5"); slurm_version.h is what the tree was configured with.
      x_ac_slurm_version=`awk '/^ *Version:/ { print $NF; exit }' "$x_ac_slurm_dir/META"`
      x_ac_slurm_micro=`awk '/^ *Micro:/ { print $NF; exit }' "$x_ac_slurm_dir/META"`
      AS_CASE([$x_ac_slurm_version],
        [*.*.*], [],
        [*.*], [x_ac_slurm_version="$x_ac_slurm_version.$x_ac_slurm_micro"])
      AS_IF([test -z "$x_ac_slurm_version" || test -z "$x_ac_slurm_micro"], [
        AC_MSG_ERROR([$x_ac_slurm_dir/META has no Version and Micro lines: not a Slurm source tree])
      ])
      x_ac_slurm_configured=`sed -n 's/^#define  *SLURM_VERSION_STRING  *"\(.*\)"$/\1/p' "$x_ac_slurm_dir/slurm/slurm_version.h"`
      AS_IF([test -n "$x_ac_slurm_configured" &&
             test "x$x_ac_slurm_configured" != "x$x_ac_slurm_version"], [
        AC_MSG_WARN([$x_ac_slurm_dir/META says $x_ac_slurm_version but slurm/slurm_version.h says $x_ac_slurm_configured: run ./configure in the Slurm tree again])
      ])

      AC_MSG_CHECKING([for the Slurm release of $x_ac_slurm_dir])
      AC_MSG_RESULT([$x_ac_slurm_version])
      AS_CASE([$x_ac_slurm_version],
        [22.05.*], [x_ac_slurm_select=yes],
        [24.11.*|2[[5-9]].*], [x_ac_slurm_select=no],
        [AC_MSG_ERROR([Slurm $x_ac_slurm_version is not supported: topopack builds against 22.05 (select and topology plugins) and 24.11 or later (topology plugin)])])
      AS_IF([test "$x_ac_slurm_select" = yes],
        [AC_MSG_NOTICE([Slurm $x_ac_slurm_version: select/topopack and topology/topopack])],
        [AC_MSG_NOTICE([Slurm $x_ac_slurm_version: topology/topopack places jobs under select/cons_tres (no select plugin)])])
      AC_MSG_NOTICE([the plugins will load only into Slurm $x_ac_slurm_version])
      SLURM_SOURCE_DIR=$x_ac_slurm_dir
      SLURM_SOURCE_VERSION=$x_ac_slurm_version
    ])

  AC_SUBST([SLURM_SOURCE_DIR])
  AC_SUBST([SLURM_SOURCE_VERSION])
  AM_CONDITIONAL([HAVE_SLURM_SOURCE], [test -n "$SLURM_SOURCE_DIR"])
  AM_CONDITIONAL([SLURM_SELECT_PLUGIN], [test "$x_ac_slurm_select" = yes])
])

##*****************************************************************************
#  AUTHOR:
#    The topopack authors.
#
#  SYNOPSIS:
#    X_AC_SLURM_PLUGINDIR
#
#  DESCRIPTION:
#    --with-slurm-plugindir=DIR: where "make install" puts the plugins,
#    Slurm's PluginDir. Default: Debian's /usr/lib/<multiarch>/slurm-wlm
#    when it exists, else $libdir/slurm (Slurm's own default).
#    Sets SLURM_PLUGIN_DIR.
##*****************************************************************************

AC_DEFUN([X_AC_SLURM_PLUGINDIR], [
  AC_ARG_WITH([slurm-plugindir],
    AS_HELP_STRING([--with-slurm-plugindir=DIR],
      [install the Slurm plugins in DIR (Slurm's PluginDir)]),
    [AS_CASE([$withval],
      [yes|no|""], [AC_MSG_ERROR([--with-slurm-plugindir needs a directory])])
     SLURM_PLUGIN_DIR=$withval],
    [x_ac_multiarch=`$CC -print-multiarch 2>/dev/null`
     AS_IF([test -n "$x_ac_multiarch" && test -d "/usr/lib/$x_ac_multiarch/slurm-wlm"],
       [SLURM_PLUGIN_DIR="/usr/lib/$x_ac_multiarch/slurm-wlm"],
       [SLURM_PLUGIN_DIR='${libdir}/slurm'])])
  AC_SUBST([SLURM_PLUGIN_DIR])
])
