file(REMOVE_RECURSE
  "CMakeFiles/ffc-send.dir/client/tools/common.c.o"
  "CMakeFiles/ffc-send.dir/client/tools/common.c.o.d"
  "CMakeFiles/ffc-send.dir/client/tools/ffc_send.c.o"
  "CMakeFiles/ffc-send.dir/client/tools/ffc_send.c.o.d"
  "bin/ffc-send"
  "bin/ffc-send.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffc-send.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
