file(REMOVE_RECURSE
  "CMakeFiles/ffcctl.dir/client/tools/common.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/common.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_alerts.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_alerts.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_audit.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_audit.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_child.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_child.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_family.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_family.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_identity.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_identity.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keep.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keep.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keys.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_keys.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_matches.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_matches.c.o.d"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_rules.c.o"
  "CMakeFiles/ffcctl.dir/client/tools/ffcctl_rules.c.o.d"
  "bin/ffcctl"
  "bin/ffcctl.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ffcctl.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
