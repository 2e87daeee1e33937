file(REMOVE_RECURSE
  "CMakeFiles/ffc.dir/client/cert.c.o"
  "CMakeFiles/ffc.dir/client/cert.c.o.d"
  "CMakeFiles/ffc.dir/client/conn.c.o"
  "CMakeFiles/ffc.dir/client/conn.c.o.d"
  "CMakeFiles/ffc.dir/client/json.c.o"
  "CMakeFiles/ffc.dir/client/json.c.o.d"
  "CMakeFiles/ffc.dir/client/time.c.o"
  "CMakeFiles/ffc.dir/client/time.c.o.d"
  "CMakeFiles/ffc.dir/client/version.c.o"
  "CMakeFiles/ffc.dir/client/version.c.o.d"
  "lib/libffc.pdb"
  "lib/libffc.so"
  "lib/libffc.so.0"
  "lib/libffc.so.0.1.0"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
