file(REMOVE_RECURSE
  "CMakeFiles/ffc-watch.dir/client/tools/common.c.o"
  "CMakeFiles/ffc-watch.dir/client/tools/common.c.o.d"
  "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch.c.o"
  "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch.c.o.d"
  "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch_gap.c.o"
  "CMakeFiles/ffc-watch.dir/client/tools/ffc_watch_gap.c.o.d"
  "bin/ffc-watch"
  "bin/ffc-watch.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffc-watch.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
