file(REMOVE_RECURSE
  "CMakeFiles/ffcstoreproto.dir/gen/ffc/ffc_store.pb-c.c.o"
  "CMakeFiles/ffcstoreproto.dir/gen/ffc/ffc_store.pb-c.c.o.d"
  "gen/ffc/ffc_store.pb-c.c"
  "gen/ffc/ffc_store.pb-c.h"
  "lib/libffcstoreproto.a"
  "lib/libffcstoreproto.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffcstoreproto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
