
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/i11/client/tools/common.c" "CMakeFiles/ffc-watch.dir/client/tools/common.c.o" "gcc" "CMakeFiles/ffc-watch.dir/client/tools/common.c.o.d"
  "/work/wt/i11/client/tools/ffc_watch.c" "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch.c.o" "gcc" "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch.c.o.d"
  "/work/wt/i11/client/tools/ffc_watch_gap.c" "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch_gap.c.o" "gcc" "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch_gap.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/i11/build-rel/CMakeFiles/ffc.dir/DependInfo.cmake"
  "/work/wt/i11/build-rel/CMakeFiles/ffcproto.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
