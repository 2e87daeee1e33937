
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/i11/client/tools/common.c" "CMakeFiles/ffcctl.dir/client/tools/common.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/common.c.o.d"
  "/work/wt/i11/client/tools/ffcctl.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_alerts.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_alerts.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_alerts.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_audit.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_audit.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_audit.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_child.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_child.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_child.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_family.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_family.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_family.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_identity.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_identity.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_identity.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_keep.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keep.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keep.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_keys.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keys.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keys.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_matches.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_matches.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_matches.c.o.d"
  "/work/wt/i11/client/tools/ffcctl_rules.c" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_rules.c.o" "gcc" "CMakeFiles/ffcctl.dir/client/tools/ffcctl_rules.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/i11/build-rel/CMakeFiles/ffc.dir/DependInfo.cmake"
  "/work/wt/i11/build-rel/CMakeFiles/ffcproto.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
