file(REMOVE_RECURSE
  "CMakeFiles/ffcproto.dir/gen/ffc/ffc.pb-c.c.o"
  "CMakeFiles/ffcproto.dir/gen/ffc/ffc.pb-c.c.o.d"
  "gen/ffc/ffc.pb-c.c"
  "gen/ffc/ffc.pb-c.h"
  "lib/libffcproto.a"
  "lib/libffcproto.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffcproto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
