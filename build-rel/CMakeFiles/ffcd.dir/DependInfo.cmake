
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/i11/daemon/main.c" "CMakeFiles/ffcd.dir/daemon/main.c.o" "gcc" "CMakeFiles/ffcd.dir/daemon/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/i11/build-rel/CMakeFiles/ffccore.dir/DependInfo.cmake"
  "/work/wt/i11/build-rel/CMakeFiles/ffcstoreproto.dir/DependInfo.cmake"
  "/work/wt/i11/build-rel/CMakeFiles/ffcproto.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
