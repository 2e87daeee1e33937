file(REMOVE_RECURSE
  "CMakeFiles/ffc_pb2"
  "gen/python/ffc_pb2.py"
)

# Per-language clean rules from dependency scanning.
foreach(lang )
  include(CMakeFiles/ffc_pb2.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
