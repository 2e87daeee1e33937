file(REMOVE_RECURSE
  "CMakeFiles/ffcd.dir/daemon/main.c.o"
  "CMakeFiles/ffcd.dir/daemon/main.c.o.d"
  "bin/ffcd"
  "bin/ffcd.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffcd.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
