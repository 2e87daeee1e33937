file(REMOVE_RECURSE
  "lib/libffccore.a"
)
