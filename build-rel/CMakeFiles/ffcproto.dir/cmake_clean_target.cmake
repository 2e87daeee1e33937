file(REMOVE_RECURSE
  "lib/libffcproto.a"
)
